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

    /**
     * The request-side encoding context: Helidon looks the whole Content-Encoding value up as one
     * id, so a list such as {@code deflate, gzip} (or the SDKs' {@code gzip,aws-chunked}) was refused
     * with 400 before routing. This context accepts a list whose every coding passes through, and
     * decodes nothing; anything else is the delegate's answer.
     */
    public static io.helidon.http.encoding.ContentEncodingContext context(Set<String> ids) {
        io.helidon.http.encoding.ContentEncodingContext delegate = io.helidon.http.encoding.ContentEncodingContext.builder()
                .contentEncodingsDiscoverServices(false)
                .addContentEncoding(new AwsChunkedEncoding(ids))
                .build();
        return new io.helidon.http.encoding.ContentEncodingContext() {
            @Override
            public io.helidon.http.encoding.ContentEncodingContextConfig prototype() {
                return delegate.prototype();
            }

            @Override
            public boolean contentEncodingEnabled() {
                return delegate.contentEncodingEnabled();
            }

            @Override
            public boolean contentDecodingEnabled() {
                return delegate.contentDecodingEnabled();
            }

            @Override
            public boolean contentEncodingSupported(String encodingId) {
                return delegate.contentEncodingSupported(encodingId);
            }

            @Override
            public boolean contentDecodingSupported(String encodingId) {
                return passesThrough(ids, encodingId) || delegate.contentDecodingSupported(encodingId);
            }

            @Override
            public ContentEncoder encoder(String encodingId) {
                return delegate.encoder(encodingId);
            }

            @Override
            public ContentDecoder decoder(String encodingId) {
                return passesThrough(ids, encodingId) ? in -> in : delegate.decoder(encodingId);
            }

            @Override
            public ContentEncoder encoder(io.helidon.http.Headers headers) {
                return delegate.encoder(headers);
            }
        };
    }

    /** True if every coding of a Content-Encoding list is one S3 keeps as metadata. */
    static boolean passesThrough(Set<String> ids, String value) {
        boolean any = false;
        for (String token : value.split(",")) {
            String t = token.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.isEmpty()) continue;
            if (!ids.contains(t)) return false;
            any = true;
        }
        return any;
    }
}
