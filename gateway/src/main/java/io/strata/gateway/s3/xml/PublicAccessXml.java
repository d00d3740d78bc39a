package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.ObjectOwnership;
import io.strata.gateway.s3.PublicAccessBlock;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import io.strata.gateway.xml.XmlWriter;
import org.w3c.dom.Element;

import java.util.List;
import java.util.Optional;

/**
 * The PublicAccessBlockConfiguration, OwnershipControls and PolicyStatus documents. The gateway
 * stores the documents it writes itself, so reading a stored one and reading a request are the same
 * parse. Stateless.
 */
public final class PublicAccessXml {
    private PublicAccessXml() {
    }

    /**
     * A PublicAccessBlockConfiguration; a missing setting is false, as on S3.
     *
     * @throws S3Exception MalformedXML for another document or a value that is not true/false
     */
    public static PublicAccessBlock publicAccessBlock(byte[] body) {
        XmlReader doc = parse(body, "PublicAccessBlockConfiguration");
        Element root = doc.root();
        if (XmlReader.hasOtherChildren(root, "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                "RestrictPublicBuckets")) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        return new PublicAccessBlock(bool(root, "BlockPublicAcls"), bool(root, "IgnorePublicAcls"),
                bool(root, "BlockPublicPolicy"), bool(root, "RestrictPublicBuckets"));
    }

    public static XmlWriter xml(PublicAccessBlock b) {
        return XmlWriter.create().root("PublicAccessBlockConfiguration")
                .element("BlockPublicAcls", b.blockPublicAcls())
                .element("IgnorePublicAcls", b.ignorePublicAcls())
                .element("BlockPublicPolicy", b.blockPublicPolicy())
                .element("RestrictPublicBuckets", b.restrictPublicBuckets());
    }

    /**
     * An OwnershipControls document: exactly one Rule with one ObjectOwnership.
     *
     * @throws S3Exception MalformedXML otherwise
     */
    public static ObjectOwnership ownership(byte[] body) {
        XmlReader doc = parse(body, "OwnershipControls");
        List<Element> rules = XmlReader.children(doc.root(), "Rule");
        if (rules.size() != 1 || XmlReader.hasOtherChildren(doc.root(), "Rule")) throw new S3Exception(S3Error.MALFORMED_XML);
        return XmlReader.text(rules.getFirst(), "ObjectOwnership").flatMap(ObjectOwnership::parse)
                .orElseThrow(() -> new S3Exception(S3Error.MALFORMED_XML));
    }

    public static XmlWriter xml(ObjectOwnership o) {
        return XmlWriter.create().root("OwnershipControls").start("Rule").element("ObjectOwnership", o.value()).end();
    }

    /** GetBucketPolicyStatus's answer. */
    public static XmlWriter policyStatus(boolean isPublic) {
        return XmlWriter.create().root("PolicyStatus").element("IsPublic", isPublic);
    }

    private static XmlReader parse(byte[] body, String root) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!doc.rootName().equals(root)) throw new S3Exception(S3Error.MALFORMED_XML);
        return doc;
    }

    private static boolean bool(Element parent, String name) {
        Optional<String> v = XmlReader.text(parent, name).map(String::trim);
        if (v.isEmpty()) return false;
        return switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new S3Exception(S3Error.MALFORMED_XML);
        };
    }
}
