package io.strata.namespace;

/**
 * A change feed call that cannot be served. Immutable and thread-safe. The store's own failures
 * (closed, unreadable) are {@link NamespaceException} with UNAVAILABLE, as for every namespace call.
 */
public final class ChangeFeedException extends RuntimeException {
    public enum Reason {
        /**
         * The entries after the requested sequence (or the cursor's position) were trimmed by the log's
         * byte or age bound before the consumer read them: it must resynchronise from the current
         * state. Never raised for entries trimmed below every cursor, which no cursor still needs.
         */
        TRIMMED,
        /** No cursor of that name is registered. */
        NO_SUCH_CURSOR
    }

    private final Reason reason;
    private final long trimmedThrough;

    public ChangeFeedException(Reason reason, String message, long trimmedThrough) {
        super(message);
        this.reason = reason;
        this.trimmedThrough = trimmedThrough;
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#TRIMMED}: the highest sequence removed; entries after it are all still there. */
    public long trimmedThrough() {
        return trimmedThrough;
    }
}
