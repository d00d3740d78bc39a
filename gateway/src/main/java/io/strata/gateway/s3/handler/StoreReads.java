package io.strata.gateway.s3.handler;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * An object's stored data as a GET sends it, with every failure of the store (hot or cold) thrown
 * as {@link Failure}, so that the handler tells a store that broke mid-body (an operator must act)
 * apart from a client that went away (written to the socket, logged at WARN at most). Not
 * thread-safe, like the stream it wraps; closing closes it.
 */
final class StoreReads extends FilterInputStream {

    /** Reading the stored data failed; the cause is what the store threw. */
    static final class Failure extends RuntimeException {
        Failure(Throwable cause) {
            super(cause.getMessage(), cause);
        }

        /** The store's own exception, for the S3 error mapping when nothing has been sent yet. */
        RuntimeException unwrap() {
            return switch (getCause()) {
                case RuntimeException r -> r;
                case IOException io -> new UncheckedIOException(io);
                case Error e -> throw e;
                default -> this;
            };
        }
    }

    StoreReads(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException | RuntimeException e) {
            throw new Failure(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            throw new Failure(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException | RuntimeException e) {
            throw new Failure(e);
        }
    }

    @Override
    public int available() throws IOException {
        try {
            return super.available();
        } catch (IOException | RuntimeException e) {
            throw new Failure(e);
        }
    }
}
