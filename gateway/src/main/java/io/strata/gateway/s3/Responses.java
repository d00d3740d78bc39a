package io.strata.gateway.s3;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.xml.XmlWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Small helpers shared by the handlers. */
public final class Responses {
    /** Request bodies we read whole (XML documents) are capped here; S3's own limits are smaller. */
    static final int MAX_XML_BODY = 2 << 20;

    private Responses() {
    }

    public static void xml(ServerResponse res, XmlWriter xml) {
        res.status(Status.OK_200);
        res.header("Content-Type", "application/xml");
        res.send(xml.toBytes());
    }

    public static String owner(String accessKey) {
        return accessKey;
    }

    public static void ownerElement(XmlWriter xml, String element, String id) {
        xml.start(element).element("ID", id).element("DisplayName", id).end();
    }

    /** Reads a small XML body whole, refusing more than {@link #MAX_XML_BODY} bytes. */
    public static byte[] readSmallBody(S3Request r) {
        try (InputStream in = r.auth().body(r.http().content().inputStream())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_XML_BODY) {
                    throw new S3Exception(S3Error.MALFORMED_XML, "The XML body is larger than " + MAX_XML_BODY + " bytes.");
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new S3Exception(S3Error.INCOMPLETE_BODY, "Reading the request body failed.");
        }
    }
}
