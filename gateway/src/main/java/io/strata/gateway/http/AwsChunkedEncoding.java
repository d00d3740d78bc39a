package io.strata.gateway.http;

import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;

import java.util.Set;

/**
 * Lets requests with {@code Content-Encoding: aws-chunked} (and the other encodings S3 stores as
 * object metadata, such as gzip) through Helidon untouched. Helidon answers 400 to an encoding it
 * has no decoder for (docs/traps.md); S3 never decodes bodies: auth strips aws-chunked framing, and
 * gzip is the object's own content.
 */
public final class AwsChunkedEncoding implements ContentEncoding {
    private final Set<String> ids;

    public AwsChunkedEncoding(Set<String> ids) {
        this.ids = ids;
    }

    @Override
    public Set<String> ids() {
        return ids;
    }

    @Override
    public boolean supportsEncoding() {
        return false;
    }

    @Override
    public boolean supportsDecoding() {
        return true;
    }

    @Override
    public ContentDecoder decoder() {
        return in -> in;
    }

    @Override
    public ContentEncoder encoder() {
        return ContentEncoder.NO_OP;
    }

    @Override
    public String name() {
        return "s3-pass-through";
    }

    @Override
    public String type() {
        return "s3-pass-through";
    }
}
