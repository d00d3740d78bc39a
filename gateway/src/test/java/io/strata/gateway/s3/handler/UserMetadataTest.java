package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Non-ASCII user metadata: signed, stored and returned as S3 does. */
class UserMetadataTest {
    @TempDir
    Path dir;

    @Test
    void theJavaSdksLatin1MetadataVerifiesAndComesBackRfc2047Encoded() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("meta");
            // The SDK signs the UTF-8 of "café ü" but writes each character as one byte on the wire.
            s3.putObject(b -> b.bucket("meta").key("k").metadata(Map.of("name", "café ü", "plain", "ascii")),
                    RequestBody.fromString("v"));
            Map<String, String> got = s3.headObject(b -> b.bucket("meta").key("k")).metadata();
            assertEquals("=?UTF-8?B?Y2Fmw6kgw7w=?=", got.get("name"));
            assertEquals("ascii", got.get("plain"));
        }
    }

    @Test
    void anEncodedWordIsStoredDecodedAndReturnedEncoded() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("meta");
            s3.putObject(b -> b.bucket("meta").key("k").metadata(Map.of("name", "=?utf-8?q?caf=C3=A9?=")),
                    RequestBody.fromString("v"));
            assertEquals("café", gateway.service().namespace().latest(new io.strata.namespace.BucketName("meta"),
                    new io.strata.namespace.ObjectKey("k")).orElseThrow().userMetadata().get("name"));
            assertEquals("=?UTF-8?B?Y2Fmw6k=?=", s3.headObject(b -> b.bucket("meta").key("k")).metadata().get("name"));
        }
    }
}
