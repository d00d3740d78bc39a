package io.strata.gateway.xml;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses the small XML request bodies S3 accepts (DeleteObjects, CompleteMultipartUpload,
 * CreateBucketConfiguration, lifecycle, CORS, tagging, ACLs). DTDs and entity references other than
 * XML's five are refused. Element names are matched by local name, so bodies with or without the S3
 * namespace are both accepted, as S3 does.
 *
 * <p>The body is read as a stream of events and the DOM built from them, so that every limit below is
 * checked as the document is read, before anything it describes is built: a hostile body cannot
 * make the server hold or walk more than a few times its (capped) size. No S3 configuration comes
 * near these limits: the deepest (lifecycle And/Tag) nests 5 levels, the largest (a
 * CompleteMultipartUpload of 10,000 parts, each with a number, an ETag and a checksum) has about
 * 40,000 elements, the longest text is an object key (1,024 bytes, some more characters when
 * written as character references).
 */
public final class XmlReader {
    /** Deepest element nesting accepted. */
    public static final int MAX_DEPTH = 32;
    /** Most elements in one document. */
    public static final int MAX_ELEMENTS = 100_000;
    /** Longest text directly inside one element, in characters. */
    public static final int MAX_TEXT = 16 * 1024;
    /** Most attributes (namespace declarations included) on one element. */
    public static final int MAX_ATTRIBUTES = 16;

    private final Element root;

    private XmlReader(Element root) {
        this.root = root;
    }

    /** @throws IllegalArgumentException when the bytes are not well-formed XML or break a limit */
    public static XmlReader parse(byte[] xml) {
        return parse(xml, new long[1]);
    }

    /**
     * The work a parse of {@code xml} takes, whether it succeeds or is refused: events read plus
     * characters and attributes delivered. Tests bound it by a constant times the body's length.
     */
    static long work(byte[] xml) {
        long[] work = new long[1];
        try {
            parse(xml, work);
        } catch (IllegalArgumentException e) {
            // refused: the work up to the refusal counts
        }
        return work[0];
    }

    private static XmlReader parse(byte[] xml, long[] work) {
        Document d;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
            f.setNamespaceAware(true);
            d = f.newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        // The JDK's own reader, whose refusals the tests pin down, whatever else is on the class path.
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        XMLStreamReader in = null;
        try {
            in = f.createXMLStreamReader(new ByteArrayInputStream(xml));
            return build(in, d, work);
        } catch (XMLStreamException | RuntimeException e) {
            // RuntimeException too: the JDK's stream reader throws some of its refusals unchecked,
            // and every one of them means the same thing to a client: MalformedXML.
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("malformed XML")) {
                throw iae;
            }
            throw new IllegalArgumentException("malformed XML: " + e.getMessage(), e);
        } finally {
            if (in != null) {
                try {
                    in.close();
                } catch (XMLStreamException e) {
                    // nothing held: the input is an array
                }
            }
        }
    }

    private static XmlReader build(XMLStreamReader in, Document d, long[] counter) throws XMLStreamException {
        Node current = d;
        int depth = 0;
        int elements = 0;
        int[] textAtDepth = new int[MAX_DEPTH + 1];
        while (in.hasNext()) {
            int event = in.next();
            counter[0]++;
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> {
                    if (++depth > MAX_DEPTH) throw refused("elements nested deeper than " + MAX_DEPTH);
                    if (++elements > MAX_ELEMENTS) throw refused("more than " + MAX_ELEMENTS + " elements");
                    int attributes = in.getAttributeCount() + in.getNamespaceCount();
                    if (attributes > MAX_ATTRIBUTES) throw refused("an element with more than " + MAX_ATTRIBUTES + " attributes");
                    counter[0] += attributes;
                    Element e = d.createElementNS(emptyToNull(in.getNamespaceURI()), qualified(in.getPrefix(), in.getLocalName()));
                    for (int i = 0; i < in.getNamespaceCount(); i++) {
                        String prefix = in.getNamespacePrefix(i);
                        e.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI,
                                prefix == null || prefix.isEmpty() ? "xmlns" : "xmlns:" + prefix, in.getNamespaceURI(i));
                    }
                    for (int i = 0; i < in.getAttributeCount(); i++) {
                        e.setAttributeNS(emptyToNull(in.getAttributeNamespace(i)),
                                qualified(in.getAttributePrefix(i), in.getAttributeLocalName(i)), in.getAttributeValue(i));
                    }
                    current.appendChild(e);
                    current = e;
                    textAtDepth[depth] = 0;
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    current = current.getParentNode();
                    depth--;
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (depth == 0) continue;   // whitespace around the root element
                    int length = in.getTextLength();
                    counter[0] += length;
                    textAtDepth[depth] += length;
                    if (textAtDepth[depth] > MAX_TEXT) throw refused("text longer than " + MAX_TEXT + " characters");
                    current.appendChild(d.createTextNode(in.getText()));
                }
                case XMLStreamConstants.DTD -> throw refused("DTDs are not allowed");
                case XMLStreamConstants.ENTITY_REFERENCE -> throw refused("entity references are not allowed");
                default -> {
                    // comments, processing instructions, document start and end: nothing to keep
                }
            }
        }
        if (d.getDocumentElement() == null) throw refused("no root element");
        return new XmlReader(d.getDocumentElement());
    }

    private static String qualified(String prefix, String localName) {
        return prefix == null || prefix.isEmpty() ? localName : prefix + ":" + localName;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static IllegalArgumentException refused(String what) {
        return new IllegalArgumentException("malformed XML: " + what);
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
