package io.strata.gateway.s3.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.gateway.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Feeds the bucket configuration parsers (lifecycle, CORS, tagging) random and mutated documents:
 * each ends in a configuration or an S3 error a client expects (400, never InternalError), and never
 * in another exception.
 */
class ConfigXmlFuzzTest {
    private static final int INPUTS = 2000;
    private static final String[] FRAGMENTS = {
            "<Rule>", "</Rule>", "<ID>", "</ID>", "<Days>", "</Days>", "99999999999999999999", "-1", "0", "1e9",
            "2147483648", "<Status>Enabled</Status>", "<Filter>", "</Filter>", "<Prefix>", "</Prefix>", "<And>",
            "</And>", "<Tag>", "</Tag>", "<Key>", "</Key>", "<Value>", "</Value>", "<MaxAgeSeconds>",
            "</MaxAgeSeconds>", "<AllowedMethod>GET</AllowedMethod>", "<AllowedOrigin>*</AllowedOrigin>",
            "<CORSRule>", "</CORSRule>", "<TagSet>", "</TagSet>", "<Date>", "</Date>", "9999-12-31T00:00:00Z",
            "<ObjectSizeGreaterThan>", "</ObjectSizeGreaterThan>", "<Expiration>", "</Expiration>", "&amp;",
            "<NoncurrentDays>", "</NoncurrentDays>", "<Transition>", "</Transition>", "<StorageClass>COLD</StorageClass>",
            "x".repeat(300), "<", ">", "\u0000"};

    private static final String LIFECYCLE = "<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>p/</Prefix>"
            + "<Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter>"
            + "<Status>Enabled</Status><Expiration><Days>30</Days></Expiration>"
            + "<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>"
            + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>"
            + "</Rule></LifecycleConfiguration>";
    private static final String CORS = "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin>"
            + "<AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>"
            + "<MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>";
    private static final String TAGGING = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag>"
            + "<Tag><Key>b</Key><Value>2</Value></Tag></TagSet></Tagging>";

    @Test
    void lifecycleDocumentsParseOrAnswerAClientError() {
        fuzz(LIFECYCLE, 31, LifecycleXml::parseRequest);
    }

    @Test
    void corsDocumentsParseOrAnswerAClientError() {
        fuzz(CORS, 32, CorsConfig::parse);
    }

    @Test
    void taggingDocumentsParseOrAnswerAClientError() {
        fuzz(TAGGING, 33, body -> Tagging.fromXml(body, Tagging.MAX_OBJECT_TAGS));
    }

    private static void fuzz(String template, long seed, Consumer<byte[]> parser) {
        Random random = new Random(seed);
        for (int i = 0; i < INPUTS; i++) {
            StringBuilder s = new StringBuilder(template);
            int edits = random.nextInt(5);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(s.length() + 1);
                if (random.nextBoolean()) {
                    s.insert(at, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                } else {
                    s.delete(at, Math.min(s.length(), at + random.nextInt(12)));
                }
            }
            byte[] body = s.toString().getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(6) == 0 && body.length > 0) body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
            try {
                parser.accept(body);
            } catch (S3Exception e) {
                assertEquals(400, e.error().status(), s + " -> " + e.error());
                assertTrue(Set.of("MalformedXML", "InvalidArgument", "InvalidRequest", "InvalidTag",
                        "InvalidStorageClass").contains(e.error().code()), s + " -> " + e.error().code());
            }
        }
    }
}
