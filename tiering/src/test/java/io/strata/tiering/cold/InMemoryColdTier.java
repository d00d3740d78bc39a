package io.strata.tiering.cold;

import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdObjectInfo;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ColdTier} in a map, for tests of the code above the seam; it passes the same contract test
 * as the real tiers. Whole objects sit in memory, which only a test fake may do. Thread-safe.
 */
public final class InMemoryColdTier implements ColdTier {

    private record Stored(byte[] data, ColdMetadata metadata) {
    }

    private final Map<ColdObjectId, Stored> objects = new ConcurrentHashMap<>();

    /** An empty tier. */
    public static InMemoryColdTier create() {
        return new InMemoryColdTier();
    }

    private InMemoryColdTier() {
    }

    @Override
    public void put(ColdObjectId id, ColdMetadata metadata, InputStream data, long length) {
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            TierStreams.copyExactly(data, out, length, id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        objects.put(id, new Stored(out.toByteArray(), metadata));
    }

    @Override
    public InputStream get(ColdObjectId id, ByteRange range) {
        byte[] data = stored(id).data();
        if (!range.isAll() && range.first() >= data.length && data.length > 0) {
            throw new TierException(TierException.Reason.INVALID_RANGE, id + ": range " + range + " of " + data.length);
        }
        return new ByteArrayInputStream(data, (int) Math.min(range.first(), data.length),
                (int) range.lengthIn(data.length));
    }

    @Override
    public ColdObjectInfo stat(ColdObjectId id) {
        Stored s = stored(id);
        return new ColdObjectInfo(s.data().length, s.metadata());
    }

    @Override
    public void delete(ColdObjectId id) {
        objects.remove(id);
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    private Stored stored(ColdObjectId id) {
        Stored s = objects.get(id);
        if (s == null) throw new TierException(TierException.Reason.NOT_FOUND, id.toString());
        return s;
    }
}
