package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The RestoreObject request body. Strata restores by moving the version hot, so the body is only
 * checked as S3 checks it (days, retrieval tier); SELECT restores are not implemented. Stateless.
 */
public final class RestoreRequestXml {
    private RestoreRequestXml() {
    }

    /** @throws S3Exception MalformedXML unless {@code body} is empty or a valid RestoreRequest */
    public static void check(byte[] body) {
        if (body.length == 0) return;
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        Element root = doc.root();
        if (!doc.rootName().equals("RestoreRequest") || XmlReader.hasOtherChildren(root, "Days", "GlacierJobParameters",
                "Tier", "Type", "Description", "OutputLocation", "SelectParameters")) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (XmlReader.text(root, "Type").isPresent()) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "SELECT restores are not implemented.");
        }
        Optional<String> days = XmlReader.text(root, "Days");
        if (days.isPresent()) {
            try {
                if (Integer.parseInt(days.get().trim()) < 1) throw new S3Exception(S3Error.MALFORMED_XML);
            } catch (NumberFormatException e) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
        }
        List<String> tiers = new ArrayList<>();
        XmlReader.text(root, "Tier").ifPresent(tiers::add);
        Optional<Element> job = XmlReader.child(root, "GlacierJobParameters");
        if (job.isPresent()) {
            if (XmlReader.hasOtherChildren(job.get(), "Tier")) throw new S3Exception(S3Error.MALFORMED_XML);
            XmlReader.text(job.get(), "Tier").ifPresent(tiers::add);
        }
        for (String t : tiers) {
            if (!List.of("Standard", "Bulk", "Expedited").contains(t.trim())) throw new S3Exception(S3Error.MALFORMED_XML);
        }
    }
}
