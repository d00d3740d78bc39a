package io.strata.erasure;

import java.io.InputStream;

/** Erasure store over local drive directories. */
final class DriveErasureStore implements ErasureStore {
    static ErasureStore open(ErasureConfig config) {
        throw new UnsupportedOperationException("TODO(#2)");
    }

    @Override
    public BlobLocation write(InputStream data, long length) {
        throw new UnsupportedOperationException("TODO(#2)");
    }

    @Override
    public InputStream read(BlobLocation location, long offset, long length) {
        throw new UnsupportedOperationException("TODO(#2)");
    }

    @Override
    public void delete(BlobLocation location) {
        throw new UnsupportedOperationException("TODO(#2)");
    }

    @Override
    public void close() {
    }
}
