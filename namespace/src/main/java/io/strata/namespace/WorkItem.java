package io.strata.namespace;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One item of a durable work queue ({@link Namespace#addWork}): work that must outlive a crash, such
 * as the intent "a copy of this version into that cold tier is under way". Immutable and
 * thread-safe; the payload is copied in and out.
 *
 * @param id          unique across every kind and never reused, also across restarts
 * @param kind        the queue it is on: 1 to {@value #MAX_KIND} characters of {@code a-z 0-9 . -},
 *                    named by its owner (e.g. {@code tier.to-cold})
 * @param payload     the owner's opaque description of the work
 * @param notBefore   the item is not due before this time
 * @param attempts    failed attempts so far ({@link Namespace#retryWork})
 * @param lastError   the last failure's message, at most {@value #MAX_ERROR} characters ("" if none)
 */
public record WorkItem(long id, String kind, byte[] payload, Instant notBefore, int attempts, String lastError) {
    public static final int MAX_KIND = 64;
    public static final int MAX_ERROR = 1024;
    /** The kind of the jobs queued before queues were typed; opening such a namespace moves them here. */
    public static final String UNTYPED = "untyped";
    private static final Pattern KIND = Pattern.compile("[a-z0-9.-]{1," + MAX_KIND + "}");

    public WorkItem {
        checkKind(kind);
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(lastError, "lastError");
        if (id < 1) throw new IllegalArgumentException("id < 1: " + id);
        if (attempts < 0) throw new IllegalArgumentException("attempts < 0: " + attempts);
        if (lastError.length() > MAX_ERROR) throw new IllegalArgumentException("lastError longer than " + MAX_ERROR);
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** This item after one more failed attempt, due again at {@code notBefore}; the error is cut to {@value #MAX_ERROR} characters. */
    WorkItem failed(Instant next, String error) {
        return failed(next, error, payload);
    }

    /** As {@link #failed(Instant, String)}, with a new payload. */
    WorkItem failed(Instant next, String error, byte[] newPayload) {
        String e = error == null ? "" : error;
        return new WorkItem(id, kind, newPayload, next, attempts + 1, e.length() > MAX_ERROR ? e.substring(0, MAX_ERROR) : e);
    }

    static String checkKind(String kind) {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("work kind must be 1 to " + MAX_KIND + " characters of a-z 0-9 . -");
        }
        return kind;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkItem w && id == w.id && kind.equals(w.kind) && java.util.Arrays.equals(payload, w.payload)
                && notBefore.equals(w.notBefore) && attempts == w.attempts && lastError.equals(w.lastError);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "WorkItem[id=" + id + ", kind=" + kind + ", payload=" + payload.length + " bytes, notBefore=" + notBefore
                + ", attempts=" + attempts + ", lastError=" + lastError + "]";
    }
}
