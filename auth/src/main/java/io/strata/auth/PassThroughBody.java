package io.strata.auth;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Objects;

/** UNSIGNED-PAYLOAD: the raw bytes unchanged. Single-threaded; {@link #close()} closes the raw stream. */
final class PassThroughBody extends VerifiedBody {
    private final InputStream raw;

    PassThroughBody(InputStream raw) {
        this.raw = raw;
    }

    @Override
    public int read() throws IOException {
        return raw.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return raw.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        return raw.available();
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }
}
