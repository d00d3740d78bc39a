package io.strata.erasure;

/** The erasure store's location record. */
record ErasureBlobLocation(long size) implements BlobLocation {
    static BlobLocation decode(byte[] bytes) {
        throw new UnsupportedOperationException("TODO(#2)");
    }

    @Override
    public byte[] encode() {
        throw new UnsupportedOperationException("TODO(#2)");
    }
}
