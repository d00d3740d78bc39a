package io.strata.namespace;

import java.util.Objects;

/**
 * A consumer's durable place in the change log. Immutable and thread-safe.
 *
 * @param name        the consumer's name (e.g. {@code replication:us-west})
 * @param position    the last sequence the consumer has acted on; it reads on after it
 * @param trimmedPast true when the log's byte or age bound removed entries after {@code position}:
 *                    the consumer missed changes and must resynchronise (see {@link ChangeFeed})
 */
public record ChangeCursor(String name, long position, boolean trimmedPast) {
    public ChangeCursor {
        Objects.requireNonNull(name, "name");
        if (position < 0) throw new IllegalArgumentException("position < 0: " + position);
    }
}
