package io.strata.gateway.xml;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses the small XML request bodies S3 accepts (DeleteObjects, CompleteMultipartUpload,
 * CreateBucketConfiguration). DTDs and external entities are refused. Element names are matched
 * by local name, so bodies with or without the S3 namespace are both accepted, as S3 does.
 */
public final class XmlReader {
    private final Element root;

    private XmlReader(Element root) {
        this.root = root;
    }

    /** @throws IllegalArgumentException when the bytes are not well-formed XML */
    public static XmlReader parse(byte[] xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            Document d = b.parse(new ByteArrayInputStream(xml));
            return new XmlReader(d.getDocumentElement());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        } catch (SAXException | IOException e) {
            throw new IllegalArgumentException("malformed XML: " + e.getMessage(), e);
        }
    }

    public String rootName() {
        return localName(root);
    }

    public Element root() {
        return root;
    }

    public static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName(e).equals(name)) result.add(e);
        }
        return result;
    }

    public static Optional<Element> child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? Optional.empty() : Optional.of(c.getFirst());
    }

    public static Optional<String> text(Element parent, String name) {
        return child(parent, name).map(Element::getTextContent);
    }

    /** True if the element has child elements other than the given names. */
    public static boolean hasOtherChildren(Element parent, String... allowed) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && !List.of(allowed).contains(localName(e))) return true;
        }
        return false;
    }

    private static String localName(Element e) {
        return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    }
}
