package io.strata.namespace;

import java.time.Instant;
import java.util.Objects;

/**
 * A consumer's durable hold on the garbage queue ({@link Namespace#markGarbage}): while it is open,
 * data whose record died after the mark was taken is not handed to the cleaner, so a reader that
 * saw the namespace at or after the mark (a snapshot export, a replication worker) can still read
 * it. Immutable and thread-safe.
 *
 * @param name           the consumer's name (e.g. {@code snapshot:nightly})
 * @param garbageId      garbage items with this id or a greater one are held; every item below it
 *                       was committed before the mark was taken
 * @param changeSequence the change log's head when the mark was taken: the deaths logged after it
 *                       are among the held items
 * @param taken          when the mark was taken
 */
public record GarbageMark(String name, long garbageId, long changeSequence, Instant taken) {
    /** Mark names are 1 to this many characters (UTF-16 units), without NUL. */
    public static final int MAX_NAME = 255;

    public GarbageMark {
        Objects.requireNonNull(taken, "taken");
        checkName(name);
        if (garbageId < 1) throw new IllegalArgumentException("garbageId < 1: " + garbageId);
        if (changeSequence < 0) throw new IllegalArgumentException("changeSequence < 0: " + changeSequence);
    }

    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("garbage mark name must be 1 to " + MAX_NAME + " characters without NUL");
        }
        return name;
    }
}
