package io.strata.erasure;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A blob write's source read stripe by stripe into data blocks, shared by the shard-file and the
 * segment writers so both refuse a short or a long source with the same errors. Used by one thread.
 */
final class StripeSource {
    private final InputStream data;
    private final long size;
    private long consumed;

    StripeSource(InputStream data, long size) {
        this.data = data;
        this.size = size;
    }

    /** Reads a stripe's data into the {@code k} data blocks, zero-padding the short tail of a last stripe. */
    void fill(byte[][] shards, int dataShards, int stripeLength, int blockLength) {
        for (int j = 0; j < dataShards; j++) {
            int count = Math.clamp((long) stripeLength - (long) j * blockLength, 0, blockLength);
            readFully(shards[j], count);
            Arrays.fill(shards[j], count, blockLength, (byte) 0);
        }
    }

    private void readFully(byte[] buffer, int count) {
        int filled = 0;
        try {
            while (filled < count) {
                int n = data.read(buffer, filled, count - filled);
                if (n < 0) {
                    throw new ErasureException(ErasureException.Reason.INCOMPLETE_INPUT,
                            "source ended after " + (consumed + filled) + " of " + size + " bytes");
                }
                filled += n;
            }
        } catch (IOException e) {
            throw new ErasureException(ErasureException.Reason.IO, "reading the source failed after "
                    + (consumed + filled) + " bytes", e);
        }
        consumed += filled;
    }

    /** Checks that the source holds no byte beyond the declared size. */
    void expectEnd() {
        try {
            if (data.read() != -1) {
                throw new ErasureException(ErasureException.Reason.EXCESS_INPUT,
                        "source has more than the declared " + size + " bytes");
            }
        } catch (IOException e) {
            throw new ErasureException(ErasureException.Reason.IO, "reading the source failed at its end", e);
        }
    }
}
