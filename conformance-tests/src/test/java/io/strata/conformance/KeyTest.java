package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Keys are arbitrary UTF-8 up to 1024 bytes. Whatever they contain, they round-trip exactly and
 * nothing they say can make the gateway create a file outside its data directory.
 */
class KeyTest extends GatewayTest {
    private static final String MARKER = "escape-" + UUID.randomUUID();
    private static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = createBucket("keys");
    }

    static List<String> awkwardKeys() {
        return List.of(
                "../" + MARKER,
                "../../../../../../../../tmp/" + MARKER,
                "a/../../" + MARKER,
                "..",
                "dir/./dot",
                "dir//double-slash",
                "trailing-slash/",
                "unicode/ü-日本語-🚀-ŝ",
                "with space/and  two",
                "plus+sign+",
                "percent%20literal%",
                "question?mark&amp=1",
                "hash#fragment",
                "semi;colon,comma:colon",
                "tilde~star*quote'paren()",
                "back\\slash",
                "brackets[]{}<>|^`\"",
                "tab\tand\u0001control",
                "x".repeat(1024));
    }

    @Test
    void awkwardKeysRoundTripExactly() {
        String bucket = createBucket("awkward");
        for (String key : awkwardKeys()) {
            String body = "body of " + key;
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
            assertEquals(body, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String(), "GET " + key);
            s3.headObject(b -> b.bucket(bucket).key(key));
        }

        // Listing returns every key exactly once, byte for byte (url encoding, as boto3 asks for it
        // by default, is decoded by the SDK).
        Set<String> expected = new TreeSet<>(awkwardKeys());
        List<String> listed = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            var page = s3.listObjectsV2(b -> b.bucket(bucket).encodingType(EncodingType.URL).maxKeys(7).continuationToken(t));
            page.contents().stream().map(S3Object::key).forEach(listed::add);
            token = page.nextContinuationToken();
        } while (token != null);
        assertEquals(List.copyOf(expected), listed, "listing of awkward keys");

        for (String key : awkwardKeys()) {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
            assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key(key)));
        }
    }

    /**
     * A key XML 1.0 cannot carry (here U+0001) never produces a malformed document: every listing
     * shows it URL-encoded with encoding-type=url and refuses with InvalidArgument without it, and an
     * error body that names it stays well-formed.
     */
    @Test
    void keysXmlCannotCarryAreListedOnlyUrlEncoded() throws Exception {
        String bucket = createBucket("control-keys");
        String key = "ctl/a\u0001b";
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("x"));
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1), RequestBody.fromString("part"));
        try {
            List<RawRequest> listings = List.of(
                    RawRequest.of("GET", "/" + bucket),
                    RawRequest.of("GET", "/" + bucket).query("list-type", "2"),
                    RawRequest.of("GET", "/" + bucket).query("versions", ""),
                    RawRequest.of("GET", "/" + bucket).query("uploads", ""),
                    RawRequest.of("GET", "/" + bucket + "/" + key).query("uploadId", uploadId));
            for (RawRequest listing : listings) {
                // RawRequest.Response.xml() parses strictly: a malformed document fails the test.
                RawRequest.Response plain = listing.send(server);
                assertEquals(400, plain.status(), plain::toString);
                assertEquals("InvalidArgument", plain.errorCode(), plain::toString);
                assertTrue(plain.text().contains("encoding-type=url"), plain::toString);

                RawRequest.Response encoded = listing.query("encoding-type", "url").send(server);
                assertEquals(200, encoded.status(), encoded::toString);
                List<String> keys = RawRequest.Xml.texts(encoded.xml(), "Key");
                assertTrue(keys.contains("ctl/a%01b"), () -> "URL-encoded key in " + encoded);
            }
            RawRequest.Response error = RawRequest.of("GET", "/" + bucket + "/" + key).query("versionId", "no-such-version")
                    .send(server);
            assertTrue(error.status() >= 400, error::toString);
            error.errorCode();   // parses the error body strictly
        } finally {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        }
    }

    @Test
    void nothingIsCreatedOutsideTheDataDirectory() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(server.isManaged(), "inspects the gateway's own directories");
        for (String key : awkwardKeys()) {
            if (key.length() > 1000) {
                continue; // the suffix would make it too long
            }
            s3.putObject(b -> b.bucket(bucket).key(key + "-kept"), RequestBody.fromString("kept"));
        }
        // The test's root holds exactly the data directory and the server log.
        try (Stream<Path> entries = Files.list(root)) {
            assertEquals(Set.of("data", "server.log"), new TreeSet<>(entries.map(p -> p.getFileName().toString()).toList()),
                    "entries beside the data directory");
        }
        assertFalse(Files.exists(Path.of("/tmp", MARKER + "-kept")), "/tmp/" + MARKER + " was created");
        for (Path outside : List.of(root.getParent(), Path.of("/tmp"), Path.of(System.getProperty("java.io.tmpdir")))) {
            try (Stream<Path> entries = Files.list(outside)) {
                List<Path> escaped = entries.filter(p -> p.getFileName().toString().contains(MARKER)).toList();
                assertTrue(escaped.isEmpty(), "files created outside the data directory: " + escaped);
            }
        }
    }

    @Test
    void keyOfMoreThan1024BytesIsKeyTooLong() {
        String key = "ü".repeat(513); // 1026 bytes of UTF-8
        assertS3Error(400, "KeyTooLongError", () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("x")));
    }
}
