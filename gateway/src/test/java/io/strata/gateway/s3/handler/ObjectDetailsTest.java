package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Content-Encoding lists and the order of object tags, as S3 answers them. */
class ObjectDetailsTest {
    @TempDir
    Path dir;

    @Test
    void aContentEncodingListIsStoredJoinedWithCommaSpace() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("enc");
            s3.putObject(b -> b.bucket("enc").key("k").contentEncoding("deflate,gzip"), RequestBody.fromString("v"));
            assertEquals("deflate, gzip", s3.headObject(b -> b.bucket("enc").key("k")).contentEncoding());
        }
    }

    @Test
    void objectTagsAreAnsweredSortedByKey() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("tags");
            s3.putObject(b -> b.bucket("tags").key("k").tagging("foo=bar&bar=&abc=1"), RequestBody.fromString("v"));
            assertEquals(List.of("abc", "bar", "foo"), s3.getObjectTagging(b -> b.bucket("tags").key("k")).tagSet().stream()
                    .map(Tag::key).toList());
        }
    }
}
