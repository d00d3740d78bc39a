package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingResponse;
import software.amazon.awssdk.services.s3.model.PutObjectTaggingResponse;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/**
 * Object and bucket tagging as AWS S3 does it, through the AWS SDK v2: Put/Get/DeleteObjectTagging
 * (by version, without creating versions), x-amz-tagging on PUT, copy and multipart, the tag count
 * on GET/HEAD, bucket tagging, and S3's limits with their error codes.
 */
class TaggingTest extends GatewayTest {

    private static Map<String, String> tags(String bucket, String key, String versionId) {
        GetObjectTaggingResponse r = s3.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(versionId));
        Map<String, String> out = new LinkedHashMap<>();
        for (Tag t : r.tagSet()) out.put(t.key(), t.value());
        return out;
    }

    private static List<Tag> tagList(int n) {
        List<Tag> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Tag.builder().key("k" + i).value("v" + i).build());
        return out;
    }

    private static void putTags(String bucket, String key, Tag... tags) {
        s3.putObjectTagging(b -> b.bucket(bucket).key(key).tagging(t -> t.tagSet(tags)));
    }

    private static Tag tag(String k, String v) {
        return Tag.builder().key(k).value(v).build();
    }

    @Test
    void putGetDeleteObjectTaggingRoundTripsAndCountsOnGetAndHead() {
        String bucket = createBucket("tags");
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("data"));
        assertEquals(Map.of(), tags(bucket, "k", null));
        assertNull(s3.headObject(b -> b.bucket(bucket).key("k")).metadata().get("x-amz-tagging-count"));
        PutObjectTaggingResponse put = s3.putObjectTagging(b -> b.bucket(bucket).key("k")
                .tagging(t -> t.tagSet(tag("project", "strata"), tag("tier", "hot cold:+-=._/@"), tag("ümlaut", ""))));
        assertNull(put.versionId(), "an unversioned bucket echoes no version id");
        assertEquals(Map.of("project", "strata", "tier", "hot cold:+-=._/@", "ümlaut", ""), tags(bucket, "k", null));
        assertEquals(3, s3.getObject(b -> b.bucket(bucket).key("k")).response().tagCount());
        assertEquals("data", s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String(), "data untouched");
        s3.deleteObjectTagging(b -> b.bucket(bucket).key("k"));
        assertEquals(Map.of(), tags(bucket, "k", null));
        assertNull(s3.getObject(b -> b.bucket(bucket).key("k")).response().tagCount());
    }

    @Test
    void versionedTaggingAddressesOneVersionAndCreatesNoVersion() {
        String bucket = createBucket("tags-versioned");
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
        String v1 = s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("one")).versionId();
        String v2 = s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("two")).versionId();
        PutObjectTaggingResponse put = s3.putObjectTagging(b -> b.bucket(bucket).key("k").versionId(v1)
                .tagging(t -> t.tagSet(tag("old", "yes"))));
        assertEquals(v1, put.versionId());
        assertEquals(v2, s3.putObjectTagging(b -> b.bucket(bucket).key("k").tagging(t -> t.tagSet(tag("new", "yes"))))
                .versionId());
        assertEquals(Map.of("old", "yes"), tags(bucket, "k", v1));
        assertEquals(Map.of("new", "yes"), tags(bucket, "k", null));
        assertEquals(v2, s3.getObjectTagging(b -> b.bucket(bucket).key("k")).versionId());
        assertEquals(2, s3.listObjectVersions(b -> b.bucket(bucket)).versions().size());
        assertEquals(v1, s3.deleteObjectTagging(b -> b.bucket(bucket).key("k").versionId(v1)).versionId());
        assertEquals(Map.of(), tags(bucket, "k", v1));
        assertEquals(Map.of("new", "yes"), tags(bucket, "k", null));
        assertEquals(2, s3.listObjectVersions(b -> b.bucket(bucket)).versions().size());
        String gone = s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("three")).versionId();
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(gone));
        assertS3Error(404, "NoSuchVersion", () -> tags(bucket, "k", gone));
        assertS3Error(400, "InvalidArgument", () -> tags(bucket, "k", "not-a-version"));
    }

    @Test
    void taggingHeaderOnPutCopyAndMultipart() {
        String bucket = createBucket("tags-header");
        s3.putObject(b -> b.bucket(bucket).key("src").tagging("a=1&b=two%20words"), RequestBody.fromString("x"));
        assertEquals(Map.of("a", "1", "b", "two words"), tags(bucket, "src", null));
        assertEquals(2, s3.headObject(b -> b.bucket(bucket).key("src")).tagCount());

        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("copied"));
        assertEquals(Map.of("a", "1", "b", "two words"), tags(bucket, "copied", null));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("replaced")
                .taggingDirective(TaggingDirective.REPLACE).tagging("c=3"));
        assertEquals(Map.of("c", "3"), tags(bucket, "replaced", null));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("cleared")
                .taggingDirective(TaggingDirective.REPLACE));
        assertEquals(Map.of(), tags(bucket, "cleared", null));

        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp").tagging("m=p")).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(upload).partNumber(1),
                RequestBody.fromString("part")).eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp").uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertEquals(Map.of("m", "p"), tags(bucket, "mp", null));
    }

    @Test
    void objectTagLimitsAreEnforced() {
        String bucket = createBucket("tags-limits");
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("x"));
        s3.putObjectTagging(b -> b.bucket(bucket).key("k").tagging(t -> t.tagSet(tagList(10))));
        assertS3Error(400, "InvalidTag", () -> s3.putObjectTagging(b -> b.bucket(bucket).key("k")
                .tagging(t -> t.tagSet(tagList(11)))));
        putTags(bucket, "k", tag("k".repeat(128), "v".repeat(256)));
        putTags(bucket, "k", tag("é".repeat(128), "é".repeat(256)));   // Unicode characters, not bytes
        assertS3Error(400, "InvalidTag", () -> putTags(bucket, "k", tag("k".repeat(129), "v")));
        assertS3Error(400, "InvalidTag", () -> putTags(bucket, "k", tag("k", "v".repeat(257))));
        assertS3Error(400, "InvalidTag", () -> putTags(bucket, "k", tag("same", "1"), tag("same", "2")));
        assertS3Error(400, "InvalidTag", () -> putTags(bucket, "k", tag("aws:reserved", "v")));
        assertS3Error(400, "InvalidTag", () -> putTags(bucket, "k", tag("bad*char", "v")));
        assertS3Error(400, "InvalidTag", () -> putTags(bucket, "k", tag("k", "bad#value")));
        assertS3Error(400, "InvalidTag", () -> putTags(bucket, "k", tag("", "v")));
        assertS3Error(400, "InvalidTag", () -> s3.putObject(b -> b.bucket(bucket).key("h").tagging("aws:x=1"),
                RequestBody.fromString("x")));
        assertS3Error(404, "NoSuchKey", () -> s3.getObjectTagging(b -> b.bucket(bucket).key("h")));
        assertS3Error(404, "NoSuchKey", () -> putTags(bucket, "missing", tag("a", "b")));
        assertS3Error(404, "NoSuchBucket", () -> s3.getObjectTagging(b -> b.bucket("no-such-bucket-tags").key("k")));
        assertEquals(1, tags(bucket, "k", null).size());
    }

    @Test
    void malformedTaggingXmlIsMalformedXml() throws Exception {
        String bucket = createBucket("tags-xml");
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("x"));
        for (String body : List.of("<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
                "<Tagging></Tagging>", "<Other><TagSet/></Other>", "not xml")) {
            RawRequest.Response r = RawRequest.of("PUT", "/" + bucket + "/k").query("tagging", "").body(body).send(server);
            assertEquals(400, r.status(), body);
            assertEquals("MalformedXML", r.errorCode(), body);
        }
        RawRequest.Response r = RawRequest.of("PUT", "/" + bucket).query("tagging", "")
                .body("<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>").send(server);
        assertEquals("MalformedXML", r.errorCode());
    }

    @Test
    void bucketTaggingRoundTripsAndNoSuchTagSetWhenNone() {
        String bucket = createBucket("bucket-tags");
        assertS3Error(404, "NoSuchTagSet", () -> s3.getBucketTagging(b -> b.bucket(bucket)));
        s3.putBucketTagging(b -> b.bucket(bucket).tagging(t -> t.tagSet(tag("team", "data"), tag("cost", "42"))));
        Map<String, String> got = new LinkedHashMap<>();
        for (Tag t : s3.getBucketTagging(b -> b.bucket(bucket)).tagSet()) got.put(t.key(), t.value());
        assertEquals(Map.of("team", "data", "cost", "42"), got);
        s3.putBucketTagging(b -> b.bucket(bucket).tagging(t -> t.tagSet(tagList(50))));
        assertEquals(50, s3.getBucketTagging(b -> b.bucket(bucket)).tagSet().size());
        assertS3Error(400, "InvalidTag", () -> s3.putBucketTagging(b -> b.bucket(bucket).tagging(t -> t.tagSet(tagList(51)))));
        assertS3Error(400, "InvalidTag", () -> s3.putBucketTagging(b -> b.bucket(bucket)
                .tagging(t -> t.tagSet(tag("aws:x", "1")))));
        assertS3Error(400, "InvalidTag", () -> s3.putBucketTagging(b -> b.bucket(bucket)
                .tagging(t -> t.tagSet(tag("d", "1"), tag("d", "2")))));
        s3.deleteBucketTagging(b -> b.bucket(bucket));
        assertS3Error(404, "NoSuchTagSet", () -> s3.getBucketTagging(b -> b.bucket(bucket)));
        s3.deleteBucketTagging(b -> b.bucket(bucket));   // idempotent
        assertS3Error(404, "NoSuchBucket", () -> s3.getBucketTagging(b -> b.bucket("no-such-bucket-tags")));
        assertTrue(s3.listObjectsV2(b -> b.bucket(bucket)).contents().isEmpty());
    }
}
