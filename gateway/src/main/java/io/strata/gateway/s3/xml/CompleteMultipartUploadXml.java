package io.strata.gateway.s3.xml;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import io.strata.namespace.Part;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The CompleteMultipartUpload request body: the parts, in the client's order, with their ETags and checksums. Stateless. */
public final class CompleteMultipartUploadXml {
    private CompleteMultipartUploadXml() {
    }

    /**
     * @param maxParts most parts a body may list
     * @throws S3Exception MalformedXML for a body that is not a CompleteMultipartUpload or lists more than
     *                     {@code maxParts}, InvalidPart for a part number out of range
     */
    public static List<ObjectService.CompletedPart> parse(byte[] body, int maxParts) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!doc.rootName().equals("CompleteMultipartUpload")) throw new S3Exception(S3Error.MALFORMED_XML);
        List<Element> parts = XmlReader.children(doc.root(), "Part");
        if (parts.size() > maxParts) throw new S3Exception(S3Error.MALFORMED_XML);
        List<ObjectService.CompletedPart> requested = new ArrayList<>(parts.size());
        for (Element p : parts) {
            String number = XmlReader.text(p, "PartNumber").orElseThrow(() -> new S3Exception(S3Error.MALFORMED_XML)).trim();
            String etag = XmlReader.text(p, "ETag").orElseThrow(() -> new S3Exception(S3Error.MALFORMED_XML));
            int n;
            try {
                n = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            if (n < Part.MIN_NUMBER || n > Part.MAX_NUMBER) throw new S3Exception(S3Error.INVALID_PART);
            Map<String, String> checksums = new java.util.TreeMap<>();
            for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                XmlReader.text(p, "Checksum" + a.name()).ifPresent(c -> checksums.put(a.name(), c.trim()));
            }
            requested.add(new ObjectService.CompletedPart(n, etag, checksums));
        }
        return requested;
    }
}
