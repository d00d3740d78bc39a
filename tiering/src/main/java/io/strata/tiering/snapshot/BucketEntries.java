package io.strata.tiering.snapshot;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Every entry of one bucket of a snapshot, in ListObjectVersions order, read range by range (one
 * range file fetched and checked at a time, see {@link RangeReader}). Single-threaded; closing
 * releases the open range.
 */
final class BucketEntries implements Iterator<SnapshotEntry>, AutoCloseable {
    private final SnapshotRepository repository;
    private final Iterator<SnapshotRoot.RangeRef> ranges;
    private final Path workDir;
    private RangeReader current;

    BucketEntries(SnapshotRepository repository, List<SnapshotRoot.RangeRef> ranges, Path workDir) {
        this.repository = repository;
        this.ranges = ranges.iterator();
        this.workDir = workDir;
    }

    /** The next entry without consuming it, or null at the end. */
    SnapshotEntry peek() {
        while (current == null || !current.hasNext()) {
            if (current != null) current.close();
            current = null;
            if (!ranges.hasNext()) return null;
            current = RangeReader.open(repository, ranges.next(), workDir);
        }
        return current.peek();
    }

    @Override
    public boolean hasNext() {
        return peek() != null;
    }

    @Override
    public SnapshotEntry next() {
        if (peek() == null) throw new NoSuchElementException();
        return current.next();
    }

    @Override
    public void close() {
        if (current != null) current.close();
        current = null;
    }
}
