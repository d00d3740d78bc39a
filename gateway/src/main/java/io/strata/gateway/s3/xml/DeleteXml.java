package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;

/** The DeleteObjects request body. Stateless. */
public final class DeleteXml {
    /** The keys to delete, in the client's order, and whether only failures are reported. */
    public record Delete(boolean quiet, List<Entry> objects) {
        public Delete {
            objects = List.copyOf(objects);
        }
    }

    /**
     * One key, and the version to delete permanently (null: the key's DELETE without a version id),
     * and the ETag the current version must have to be deleted (null: none; S3's conditional
     * delete in a batch).
     */
    public record Entry(String key, String versionId, String etag) {
        public Entry(String key, String versionId) {
            this(key, versionId, null);
        }
    }

    private DeleteXml() {
    }

    /** @throws S3Exception MalformedXML for a body that is not a Delete, lists no key or more than {@code maxKeys} */
    public static Delete parse(byte[] body, int maxKeys) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!doc.rootName().equals("Delete")) throw new S3Exception(S3Error.MALFORMED_XML);
        boolean quiet = XmlReader.text(doc.root(), "Quiet").map(s -> s.trim().equalsIgnoreCase("true")).orElse(false);
        List<Element> objects = XmlReader.children(doc.root(), "Object");
        if (objects.isEmpty() || objects.size() > maxKeys) throw new S3Exception(S3Error.MALFORMED_XML);
        List<Entry> keys = new ArrayList<>(objects.size());
        for (Element o : objects) {
            String k = XmlReader.text(o, "Key").orElseThrow(() -> new S3Exception(S3Error.MALFORMED_XML));
            keys.add(new Entry(k, XmlReader.text(o, "VersionId").map(String::trim).orElse(null),
                    XmlReader.text(o, "ETag").map(String::trim).orElse(null)));
        }
        return new Delete(quiet, keys);
    }
}
