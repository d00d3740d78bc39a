package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Object versioning as AWS S3 does it, through the AWS SDK v2: bucket state, version ids, GET/HEAD/
 * DELETE by version, delete markers, the null version under Suspended, ListObjectVersions with its
 * markers, multi-object delete and copy by version, and every error code on the way.
 */
class VersioningTest extends GatewayTest {

    private static String versionedBucket(String hint) {
        String bucket = createBucket(hint);
        enable(bucket, BucketVersioningStatus.ENABLED);
        return bucket;
    }

    private static void enable(String bucket, BucketVersioningStatus status) {
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(c -> c.status(status)));
    }

    private static String put(String bucket, String key, String content) {
        return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content)).versionId();
    }

    private static String get(String bucket, String key, String versionId) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asUtf8String();
    }

    /** Every version and marker, paged with the SDK's paginator at the given page size: "key#id" with a "*" when latest. */
    private static List<String> allVersions(String bucket, int pageSize) {
        List<String> out = new ArrayList<>();
        for (ListObjectVersionsResponse page : s3.listObjectVersionsPaginator(b -> b.bucket(bucket).maxKeys(pageSize))) {
            assertTrue(page.versions().size() + page.deleteMarkers().size() <= pageSize);
            List<String[]> entries = new ArrayList<>();
            for (ObjectVersion v : page.versions()) entries.add(new String[] {v.key(), v.versionId(), v.isLatest() ? "*" : ""});
            for (DeleteMarkerEntry d : page.deleteMarkers()) entries.add(new String[] {d.key(), "DM:" + d.versionId(), d.isLatest() ? "*" : ""});
            // The SDK splits versions and markers; the wire order is key, then newest first (ids sort newest first).
            entries.sort((a, c) -> a[0].equals(c[0]) ? a[1].replace("DM:", "").compareTo(c[1].replace("DM:", "")) : a[0].compareTo(c[0]));
            for (String[] e : entries) out.add(e[0] + "#" + e[1] + e[2]);
        }
        return out;
    }

    @Test
    void versioningStateIsEmptyThenEnabledThenSuspended() {
        String bucket = createBucket("state");
        assertNull(s3.getBucketVersioning(b -> b.bucket(bucket)).status());
        enable(bucket, BucketVersioningStatus.ENABLED);
        assertEquals(BucketVersioningStatus.ENABLED, s3.getBucketVersioning(b -> b.bucket(bucket)).status());
        enable(bucket, BucketVersioningStatus.SUSPENDED);
        assertEquals(BucketVersioningStatus.SUSPENDED, s3.getBucketVersioning(b -> b.bucket(bucket)).status());
        assertS3Error(404, "NoSuchBucket", () -> s3.getBucketVersioning(b -> b.bucket("no-such-bucket-here")));
    }

    @Test
    void badVersioningConfigurationsAreRejectedWithoutChangingTheState() throws Exception {
        String bucket = createBucket("bad-config");
        for (String body : List.of("not xml", "<Other><Status>Enabled</Status></Other>",
                "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")) {
            RawRequest.Response r = RawRequest.of("PUT", "/" + bucket).query("versioning", "").body(body).send(server);
            assertEquals(400, r.status(), r::toString);
            assertEquals("MalformedXML", r.errorCode(), r::toString);
        }
        RawRequest.Response mfa = RawRequest.of("PUT", "/" + bucket).query("versioning", "")
                .body("<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>")
                .send(server);
        assertEquals(501, mfa.status(), mfa::toString);
        assertEquals("NotImplemented", mfa.errorCode());
        assertNull(s3.getBucketVersioning(b -> b.bucket(bucket)).status());
        RawRequest.Response ok = RawRequest.of("PUT", "/" + bucket).query("versioning", "")
                .body("<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Enabled</Status>"
                        + "<MfaDelete>Disabled</MfaDelete></VersioningConfiguration>").send(server);
        assertEquals(200, ok.status(), ok::toString);
        assertEquals(BucketVersioningStatus.ENABLED, s3.getBucketVersioning(b -> b.bucket(bucket)).status());
    }

    @Test
    void unversionedBucketsSendNoVersionIdHeader() throws Exception {
        String bucket = createBucket("unversioned");
        assertNull(put(bucket, "k", "x"));
        RawRequest.Response r = RawRequest.of("GET", "/" + bucket + "/k").send(server);
        assertFalse(r.header("x-amz-version-id").isPresent(), r::toString);
        assertEquals("x", get(bucket, "k", "null"));
    }

    @Test
    void everyPutInAnEnabledBucketKeepsAVersionReadableById() {
        String bucket = versionedBucket("enabled");
        String v1 = put(bucket, "k", "one");
        String v2 = put(bucket, "k", "two");
        assertNotEquals(v1, v2);
        assertTrue(v1.matches("[0-9a-f]{32}"), v1);
        assertEquals("two", get(bucket, "k", null));
        assertEquals("one", get(bucket, "k", v1));
        assertEquals("two", get(bucket, "k", v2));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").versionId(v1));
        assertEquals(v1, head.versionId());
        assertEquals(3L, head.contentLength());
        GetObjectResponse current = s3.getObject(b -> b.bucket(bucket).key("k"), (r, in) -> r);
        assertEquals(v2, current.versionId());
        assertEquals(List.of("k#" + v2 + "*", "k#" + v1), allVersions(bucket, 1000));
    }

    @Test
    void unknownVersionIsNoSuchVersionAndAMalformedOneInvalidArgument() {
        String bucket = versionedBucket("bad-ids");
        String v1 = put(bucket, "k", "one");
        String unknown = v1.substring(0, 31) + (v1.endsWith("0") ? "1" : "0");
        assertS3Error(404, "NoSuchVersion", () -> get(bucket, "k", unknown));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("k").versionId(unknown)));
        assertS3Error(400, "InvalidArgument", () -> get(bucket, "k", "not-a-version"));
        assertS3Error(400, "InvalidArgument", () -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId("not-a-version")));
        assertS3Error(404, "NoSuchVersion", () -> get(bucket, "k", "null"));
        assertEquals("one", get(bucket, "k", v1));
    }

    @Test
    void deleteAddsAMarkerThatHidesTheKeyUntilTheMarkerIsDeleted() throws Exception {
        String bucket = versionedBucket("markers");
        String v1 = put(bucket, "k", "one");
        DeleteObjectResponse deleted = s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertTrue(deleted.deleteMarker());
        String marker = deleted.versionId();
        assertNotEquals(v1, marker);

        assertS3Error(404, "NoSuchKey", () -> get(bucket, "k", null));
        RawRequest.Response current = RawRequest.of("GET", "/" + bucket + "/k").send(server);
        assertEquals(404, current.status());
        assertEquals("true", current.header("x-amz-delete-marker").orElse(""), current::toString);
        assertEquals(marker, current.header("x-amz-version-id").orElse(""));
        RawRequest.Response head = RawRequest.of("HEAD", "/" + bucket + "/k").send(server);
        assertEquals(404, head.status());
        assertEquals("true", head.header("x-amz-delete-marker").orElse(""), head::toString);
        RawRequest.Response byId = RawRequest.of("GET", "/" + bucket + "/k").query("versionId", marker).send(server);
        assertEquals(405, byId.status(), byId::toString);
        assertEquals("MethodNotAllowed", byId.errorCode());
        assertEquals("true", byId.header("x-amz-delete-marker").orElse(""));
        assertEquals("one", get(bucket, "k", v1));

        assertTrue(s3.listObjectsV2(b -> b.bucket(bucket)).contents().isEmpty());
        assertTrue(s3.listObjects(b -> b.bucket(bucket)).contents().isEmpty());
        assertEquals(List.of("k#DM:" + marker + "*", "k#" + v1), allVersions(bucket, 1000));

        DeleteObjectResponse removed = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(marker));
        assertTrue(removed.deleteMarker());
        assertEquals(marker, removed.versionId());
        assertEquals("one", get(bucket, "k", null));
        assertEquals(List.of("k"), s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList());
    }

    @Test
    void permanentlyDeletingTheCurrentVersionPromotesTheNextNewest() {
        String bucket = versionedBucket("permanent");
        String v1 = put(bucket, "k", "one");
        String v2 = put(bucket, "k", "two");
        DeleteObjectResponse r = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v2));
        assertEquals(v2, r.versionId());
        assertFalse(Boolean.TRUE.equals(r.deleteMarker()));
        assertEquals("one", get(bucket, "k", null));
        assertS3Error(404, "NoSuchVersion", () -> get(bucket, "k", v2));
        // Deleting a version that is gone again is still a success.
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v2));
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v1));
        assertS3Error(404, "NoSuchKey", () -> get(bucket, "k", null));
        assertEquals(List.of(), allVersions(bucket, 1000));
        s3.deleteBucket(b -> b.bucket(bucket));
    }

    @Test
    void suspendedBucketsReplaceTheNullVersionAndDeleteWithANullMarker() {
        String bucket = createBucket("suspended");
        put(bucket, "k", "before");                 // the null version, from before versioning
        enable(bucket, BucketVersioningStatus.ENABLED);
        String v1 = put(bucket, "k", "versioned");
        enable(bucket, BucketVersioningStatus.SUSPENDED);
        assertEquals("null", put(bucket, "k", "suspended-1"));
        assertEquals("null", put(bucket, "k", "suspended-2"));
        assertEquals(List.of("k#null*", "k#" + v1), allVersions(bucket, 1000).stream()
                .sorted((a, b) -> a.contains("null") ? -1 : b.contains("null") ? 1 : 0).toList());
        assertEquals("suspended-2", get(bucket, "k", "null"));
        assertEquals("versioned", get(bucket, "k", v1));

        DeleteObjectResponse d = s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertTrue(d.deleteMarker());
        assertEquals("null", d.versionId());
        ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(bucket));
        assertEquals(List.of("null"), listed.deleteMarkers().stream().map(DeleteMarkerEntry::versionId).toList());
        assertTrue(listed.deleteMarkers().getFirst().isLatest());
        assertEquals(List.of(v1), listed.versions().stream().map(ObjectVersion::versionId).toList());
        assertS3Error(404, "NoSuchKey", () -> get(bucket, "k", null));
    }

    @Test
    void listObjectVersionsPagesWithKeyAndVersionMarkersWithoutGapsOrRepeats() {
        String bucket = versionedBucket("paging");
        List<String> expected = new ArrayList<>();
        for (String key : List.of("a", "b/1", "b/2", "c")) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) ids.add(0, put(bucket, key, key + i));
            for (int i = 0; i < ids.size(); i++) expected.add(key + "#" + ids.get(i) + (i == 0 ? "*" : ""));
        }
        String marker = s3.deleteObject(b -> b.bucket(bucket).key("c")).versionId();
        expected.set(expected.indexOf(expected.stream().filter(e -> e.startsWith("c#") && e.endsWith("*")).findFirst().orElseThrow()),
                expected.stream().filter(e -> e.startsWith("c#") && e.endsWith("*")).findFirst().orElseThrow().replace("*", ""));
        expected.add(expected.indexOf(expected.stream().filter(e -> e.startsWith("c#")).findFirst().orElseThrow()), "c#DM:" + marker + "*");
        for (int pageSize : new int[] {1, 2, 5, 1000}) {
            assertEquals(expected, allVersions(bucket, pageSize), "page size " + pageSize);
        }

        ListObjectVersionsResponse first = s3.listObjectVersions(b -> b.bucket(bucket).maxKeys(2));
        assertTrue(first.isTruncated());
        assertEquals("a", first.nextKeyMarker());
        assertEquals(first.versions().get(1).versionId(), first.nextVersionIdMarker());

        ListObjectVersionsResponse grouped = s3.listObjectVersions(b -> b.bucket(bucket).delimiter("/"));
        assertEquals(List.of("b/"), grouped.commonPrefixes().stream().map(p -> p.prefix()).toList());
        assertEquals(6, grouped.versions().size());
        ListObjectVersionsResponse prefixed = s3.listObjectVersions(b -> b.bucket(bucket).prefix("b/").keyMarker("b/1"));
        assertEquals(List.of("b/2", "b/2", "b/2"), prefixed.versions().stream().map(ObjectVersion::key).toList());
        assertS3Error(400, "InvalidArgument", () -> s3.listObjectVersions(b -> b.bucket(bucket).versionIdMarker(marker)));
        assertS3Error(400, "InvalidArgument", () -> s3.listObjectVersions(b -> b.bucket(bucket).keyMarker("a").versionIdMarker("bogus")));
        assertS3Error(404, "NoSuchBucket", () -> s3.listObjectVersions(b -> b.bucket("no-such-bucket-here")));
        assertEquals(List.of("a", "b/1", "b/2"), s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList());
    }

    @Test
    void listObjectVersionsUrlEncodesKeysWhenAsked() throws Exception {
        String bucket = versionedBucket("encoding");
        put(bucket, "a b+ü", "x");
        RawRequest.Response r = RawRequest.of("GET", "/" + bucket).query("versions", "").query("encoding-type", "url").send(server);
        assertEquals(200, r.status(), r::toString);
        assertEquals(List.of("a%20b%2B%C3%BC"), RawRequest.Xml.texts(r.xml(), "Key"));
        ListObjectVersionsResponse sdk = s3.listObjectVersions(b -> b.bucket(bucket).encodingType(EncodingType.URL));
        assertEquals("a b+ü", sdk.versions().getFirst().key());
    }

    @Test
    void deleteObjectsWithVersionIdsDeletesVersionsAndReportsMarkers() {
        String bucket = versionedBucket("multi");
        String v1 = put(bucket, "a", "1");
        String v2 = put(bucket, "a", "2");
        put(bucket, "b", "b");
        DeleteObjectsResponse r = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                ObjectIdentifier.builder().key("a").versionId(v2).build(),
                ObjectIdentifier.builder().key("b").build())));
        assertTrue(r.errors().isEmpty(), r.errors()::toString);
        Map<String, DeletedObject> byKey = r.deleted().stream().collect(Collectors.toMap(DeletedObject::key, d -> d));
        assertEquals(v2, byKey.get("a").versionId());
        assertFalse(Boolean.TRUE.equals(byKey.get("a").deleteMarker()));
        assertTrue(byKey.get("b").deleteMarker());
        String bMarker = byKey.get("b").deleteMarkerVersionId();
        assertTrue(bMarker.matches("[0-9a-f]{32}"), bMarker);
        assertEquals("1", get(bucket, "a", null));
        assertEquals(List.of("a"), s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList());

        DeleteObjectsResponse markers = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                ObjectIdentifier.builder().key("b").versionId(bMarker).build(),
                ObjectIdentifier.builder().key("a").versionId(v1).build())));
        DeletedObject b2 = markers.deleted().stream().filter(d -> d.key().equals("b")).findFirst().orElseThrow();
        assertTrue(b2.deleteMarker());
        assertEquals(bMarker, b2.deleteMarkerVersionId());
        assertEquals("b", get(bucket, "b", null));
        assertS3Error(404, "NoSuchKey", () -> get(bucket, "a", null));
    }

    @Test
    void copyFromASourceVersionReportsBothIdsAndCanRestoreAnOldVersion() {
        String bucket = versionedBucket("copy");
        String v1 = put(bucket, "k", "old");
        put(bucket, "k", "new");
        CopyObjectResponse copy = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("k").sourceVersionId(v1)
                .destinationBucket(bucket).destinationKey("k"));
        assertEquals(v1, copy.copySourceVersionId());
        assertTrue(copy.versionId().matches("[0-9a-f]{32}"));
        assertEquals("old", get(bucket, "k", null));
        assertEquals(3, s3.listObjectVersions(b -> b.bucket(bucket)).versions().size());

        CopyObjectResponse other = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("k").sourceVersionId(v1)
                .destinationBucket(bucket).destinationKey("other"));
        assertEquals("old", get(bucket, "other", other.versionId()));
        String marker = s3.deleteObject(b -> b.bucket(bucket).key("other")).versionId();
        assertS3Error(404, "NoSuchKey", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("other")
                .destinationBucket(bucket).destinationKey("x")));
        assertS3Error(400, "InvalidRequest", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("other")
                .sourceVersionId(marker).destinationBucket(bucket).destinationKey("x")));
        assertS3Error(404, "NoSuchVersion", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("k")
                .sourceVersionId(v1.substring(0, 31) + (v1.endsWith("0") ? "1" : "0")).destinationBucket(bucket).destinationKey("x")));
    }

    @Test
    void completedMultipartUploadsGetAVersionId() {
        String bucket = versionedBucket("multipart");
        String first = put(bucket, "big", "small first version");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("big")).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(bucket).key("big").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes("part".getBytes(StandardCharsets.UTF_8))).eTag();
        String versionId = s3.completeMultipartUpload(b -> b.bucket(bucket).key("big").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build()))).versionId();
        assertTrue(versionId.matches("[0-9a-f]{32}"), versionId);
        assertEquals("part", get(bucket, "big", versionId));
        assertEquals("small first version", get(bucket, "big", first));
    }

    @Test
    void aBucketHoldingOnlyOldVersionsOrMarkersIsNotEmpty() {
        String bucket = versionedBucket("not-empty");
        String v1 = put(bucket, "k", "x");
        String marker = s3.deleteObject(b -> b.bucket(bucket).key("k")).versionId();
        assertS3Error(409, "BucketNotEmpty", () -> s3.deleteBucket(b -> b.bucket(bucket)));
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v1));
        assertS3Error(409, "BucketNotEmpty", () -> s3.deleteBucket(b -> b.bucket(bucket)));
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(marker));
        s3.deleteBucket(b -> b.bucket(bucket));
        assertS3Error(404, "NoSuchBucket", () -> s3.getBucketVersioning(b -> b.bucket(bucket)));
    }
}
