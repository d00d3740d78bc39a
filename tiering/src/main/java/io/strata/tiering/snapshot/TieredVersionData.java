package io.strata.tiering.snapshot;

import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.TierMover;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link VersionData} as the tier mover reads versions: a version in a cold tier through
 * {@link TierMover#openCold} segment by segment (each block checked against its CRC32C), any other
 * through the hot-data role the gateway gives the mover (erasure store or inline). Segments are
 * opened lazily, one at a time. Thread-safe.
 */
public final class TieredVersionData implements VersionData {
    private final TierMover.HotData hot;
    private final TierMover mover;

    public TieredVersionData(TierMover.HotData hot, TierMover mover) {
        this.hot = hot;
        this.mover = mover;
    }

    @Override
    public InputStream open(ObjectVersion v, long offset, long length) {
        if (TierMover.coldName(v).isEmpty()) return hot.open(v, offset, length);
        List<java.util.function.Supplier<InputStream>> pieces = new ArrayList<>();
        long start = 0;
        List<Segment> segments = v.segments();
        for (int i = 0; i < segments.size(); i++) {
            long size = segments.get(i).size();
            long from = Math.max(offset, start);
            long to = Math.min(offset + length, start + size);
            if (to > from) {
                int index = i;
                long segmentFrom = from - start;
                pieces.add(() -> mover.openCold(v, index, segmentFrom, to - from));
            }
            start += size;
        }
        return new SequenceInputStream(Collections.enumeration(pieces.stream()
                .map(LazyStream::new).map(InputStream.class::cast).toList()));
    }

    /** Opens its stream on first read, so a many-part version holds one open cold read at a time. */
    private static final class LazyStream extends InputStream {
        private final java.util.function.Supplier<InputStream> opener;
        private InputStream in;

        LazyStream(java.util.function.Supplier<InputStream> opener) {
            this.opener = opener;
        }

        private InputStream in() {
            if (in == null) in = opener.get();
            return in;
        }

        @Override
        public int read() throws java.io.IOException {
            return in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            return in().read(b, off, len);
        }

        @Override
        public void close() throws java.io.IOException {
            if (in != null) in.close();
        }
    }
}
