package io.strata.erasure;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the store currently knows about one configured drive, as {@link ErasureStore#drives()}
 * reports it. An immutable snapshot; the state may change right after it is taken.
 *
 * @param index the drive's position in {@link ErasureConfig#drives()} (locations refer to it)
 * @param root the drive directory
 * @param state whether reads and writes use the drive
 * @param detail why the drive is in that state (empty when online), for operators, never data
 * @param segments segment files of small shards on the drive (0 when none are open)
 * @param segmentLiveBytes bytes of live records (shards and the tombstones still needed) in them
 * @param segmentDeadBytes bytes of deleted records in them, reclaimed when a segment is all dead
 * @param fsyncs fsyncs of files and directories on the drive since the store opened
 */
public record DriveStatus(int index, Path root, State state, String detail, int segments, long segmentLiveBytes,
                          long segmentDeadBytes, long fsyncs) {
    /** How the store treats a drive. */
    public enum State {
        /** Formatted with the expected id and answering: used for reads and writes. */
        ONLINE,
        /** The directory or its layout is missing or unreadable: skipped until it comes back. */
        OFFLINE,
        /** I/O errors were seen recently: skipped, and probed again after a pause. */
        FAULTY,
        /**
         * The directory holds a different (or a new) drive than the one formatted before: it is
         * used for writes and its shards are rebuilt by heal.
         */
        REPLACED
    }

    public DriveStatus {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }

    /** A drive without segment or fsync figures (stores without drives). */
    public DriveStatus(int index, Path root, State state, String detail) {
        this(index, root, state, detail, 0, 0, 0, 0);
    }
}
