package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * DeleteObjects (multi-object delete): verbose and quiet, missing keys, keys that need XML
 * escaping, and the integrity header: the SDK sends an x-amz-checksum-* instead of Content-MD5.
 */
class DeleteObjectsTest extends GatewayTest {

    private static List<ObjectIdentifier> put(String bucket, List<String> keys) {
        for (String key : keys) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
        }
        return keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
    }

    private static Set<String> remaining(String bucket) {
        return s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void verboseDeleteReportsEveryKey() {
        String bucket = createBucket("multi-verbose");
        List<ObjectIdentifier> ids = put(bucket, List.of("a", "dir/b", "x&y<z>'\"", "ü space+plus"));
        put(bucket, List.of("keep"));
        List<ObjectIdentifier> withMissing = new java.util.ArrayList<>(ids);
        withMissing.add(ObjectIdentifier.builder().key("never-existed").build());

        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(withMissing)));
        assertTrue(response.errors().isEmpty(), "errors: " + response.errors());
        // S3 reports a missing key as deleted: the delete is idempotent.
        assertEquals(Set.of("a", "dir/b", "x&y<z>'\"", "ü space+plus", "never-existed"),
                response.deleted().stream().map(DeletedObject::key).collect(Collectors.toSet()));
        assertEquals(Set.of("keep"), remaining(bucket));
    }

    @Test
    void quietDeleteReportsOnlyErrors() {
        String bucket = createBucket("multi-quiet");
        List<ObjectIdentifier> ids = put(bucket, List.of("q1", "q2", "q3"));
        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids).quiet(true)));
        assertTrue(response.errors().isEmpty(), "errors: " + response.errors());
        assertTrue(response.deleted().isEmpty(), "quiet mode lists no deleted keys: " + response.deleted());
        assertEquals(Set.of(), remaining(bucket));
    }

    @Test
    void deleteObjectsAcceptsContentMd5OrAnyChecksumHeader() throws Exception {
        String bucket = createBucket("multi-integrity");
        put(bucket, List.of("m1", "m2", "m3"));
        String body = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>m1</Key></Object></Delete>";
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);

        RawRequest.Response md5 = RawRequest.of("POST", "/" + bucket).query("delete", "")
                .header("Content-MD5", TestData.md5Base64(bytes)).header("Content-Type", "application/xml").body(bytes).send(server);
        assertEquals(200, md5.status(), md5::toString);

        String body2 = body.replace("m1", "m2");
        byte[] bytes2 = body2.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RawRequest.Response crc = RawRequest.of("POST", "/" + bucket).query("delete", "")
                .header("x-amz-checksum-crc32", TestData.crc32Base64(bytes2))
                .header("x-amz-sdk-checksum-algorithm", "CRC32").body(bytes2).send(server);
        assertEquals(200, crc.status(), crc::toString);

        String body3 = body.replace("m1", "m3");
        byte[] bytes3 = body3.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RawRequest.Response sha = RawRequest.of("POST", "/" + bucket).query("delete", "")
                .header("x-amz-checksum-sha256", java.util.Base64.getEncoder().encodeToString(
                        java.util.HexFormat.of().parseHex(TestData.sha256(bytes3))))
                .body(bytes3).send(server);
        assertEquals(200, sha.status(), sha::toString);
        assertEquals(Set.of(), remaining(bucket));
    }

    @Test
    void deleteObjectsWithWrongContentMd5IsBadDigest() throws Exception {
        String bucket = createBucket("multi-bad-md5");
        put(bucket, List.of("stays"));
        byte[] bytes = "<Delete><Object><Key>stays</Key></Object></Delete>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RawRequest.Response response = RawRequest.of("POST", "/" + bucket).query("delete", "")
                .header("Content-MD5", TestData.md5Base64("something else".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .body(bytes).send(server);
        assertEquals(400, response.status(), response::toString);
        assertEquals("BadDigest", response.errorCode(), response::toString);
        assertEquals(Set.of("stays"), remaining(bucket));
    }
}
