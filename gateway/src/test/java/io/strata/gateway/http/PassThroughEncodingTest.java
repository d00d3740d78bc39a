package io.strata.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Content-Encoding lists pass through when every coding is one S3 keeps as metadata. */
class PassThroughEncodingTest {
    private static final Set<String> IDS = Set.of("aws-chunked", "gzip", "deflate");

    @Test
    void listsOfPassThroughCodingsAreAccepted() {
        assertTrue(AwsChunkedEncoding.passesThrough(IDS, "gzip"));
        assertTrue(AwsChunkedEncoding.passesThrough(IDS, "deflate, gzip"));
        assertTrue(AwsChunkedEncoding.passesThrough(IDS, "GZIP,aws-chunked"));
        assertTrue(AwsChunkedEncoding.context(IDS).contentDecodingSupported("deflate,gzip,aws-chunked"));
        assertFalse(AwsChunkedEncoding.passesThrough(IDS, "gzip, br"));
        assertFalse(AwsChunkedEncoding.passesThrough(IDS, " , "));
    }
}
