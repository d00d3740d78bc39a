package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * A durable bulk job: "do {@code action} to every version under {@code bucket}/{@code prefix}",
 * walked in ListObjectVersions order with its place and counters persisted after every page
 * ({@link Namespace#recordBulkProgress}), so it resumes where it stopped after a crash or restart
 * and its counters count each version once. Immutable and thread-safe; the parameters are copied
 * in and out.
 *
 * @param id         unique and never reused (shared with the work queues' ids)
 * @param action     what to do, named by the job's owner: 1 to {@value #MAX_ACTION} characters of
 *                   {@code a-z 0-9 . -} (e.g. {@code tier.move}, {@code tier.prefetch})
 * @param bucket     the bucket walked
 * @param prefix     only keys starting with this ("" for the whole bucket)
 * @param parameters the owner's opaque parameters (e.g. the target tier)
 * @param state      running, or how it ended
 * @param position   where the walk continues: the last version whose page was recorded
 * @param counters   the versions of the recorded pages, by outcome
 * @param total      the versions expected, for progress; -1 when unknown
 * @param created    when the job was created
 * @param updated    when it last changed
 * @param lastError  the last failure's message ("" if none), at most {@value WorkItem#MAX_ERROR} characters
 */
public record BulkJob(long id, String action, BucketName bucket, String prefix, byte[] parameters, State state,
                      Position position, Counters counters, long total, Instant created, Instant updated,
                      String lastError) {
    public static final int MAX_ACTION = 64;
    private static final Pattern ACTION = Pattern.compile("[a-z0-9.-]{1," + MAX_ACTION + "}");

    /** A job's life: RUNNING until the walk ends (DONE), an operator cancels it, or it fails for good. */
    public enum State {
        RUNNING, DONE, CANCELLED, FAILED;

        /** Whether the job has ended; an ended job never changes again. */
        public boolean ended() {
            return this != RUNNING;
        }
    }

    /**
     * The walk's place: ListObjectVersions markers ({@link VersionQuery}); both "" before the first page.
     */
    public record Position(String keyMarker, String versionIdMarker) {
        public static final Position START = new Position("", "");

        public Position {
            Objects.requireNonNull(keyMarker, "keyMarker");
            Objects.requireNonNull(versionIdMarker, "versionIdMarker");
        }
    }

    /**
     * Versions (delete markers included) by outcome, and the bytes of those acted on.
     *
     * @param done    versions the action was applied to (or found already applied)
     * @param skipped versions the action does not concern (a delete marker, already in place)
     * @param failed  versions the action failed on; the walk goes on past them
     * @param bytes   bytes of the versions done
     * @param present versions found already where the action would put them, for owners that count
     *                those apart from {@code skipped} (a replication resync: the target has them); 0 for
     *                the others
     */
    public record Counters(long done, long skipped, long failed, long bytes, long present) {
        public static final Counters ZERO = new Counters(0, 0, 0, 0, 0);

        public Counters {
            if (done < 0 || skipped < 0 || failed < 0 || bytes < 0 || present < 0) {
                throw new IllegalArgumentException("negative counter: " + done + "/" + skipped + "/" + failed + "/" + bytes
                        + "/" + present);
            }
        }

        /** Counters of an owner that counts nothing as {@code present}. */
        public Counters(long done, long skipped, long failed, long bytes) {
            this(done, skipped, failed, bytes, 0);
        }

        /** Versions visited: done, skipped, failed or present. */
        public long visited() {
            return done + skipped + failed + present;
        }

        public Counters plus(Counters o) {
            return new Counters(done + o.done, skipped + o.skipped, failed + o.failed, bytes + o.bytes, present + o.present);
        }
    }

    public BulkJob {
        checkAction(action);
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
        Objects.requireNonNull(lastError, "lastError");
        if (id < 1) throw new IllegalArgumentException("id < 1: " + id);
        if (prefix.getBytes(StandardCharsets.UTF_8).length > ObjectKey.MAX_BYTES) {
            throw new IllegalArgumentException("prefix longer than " + ObjectKey.MAX_BYTES + " bytes");
        }
        if (total < -1 || total == Long.MAX_VALUE) throw new IllegalArgumentException("total out of range: " + total);
        if (lastError.length() > WorkItem.MAX_ERROR) throw new IllegalArgumentException("lastError too long");
        parameters = parameters.clone();
    }

    @Override
    public byte[] parameters() {
        return parameters.clone();
    }

    /** Fraction of {@link #total} visited (1 once DONE), or empty when the total is unknown. */
    public OptionalDouble progress() {
        if (state == State.DONE) return OptionalDouble.of(1);
        if (total < 0) return OptionalDouble.empty();
        if (total == 0) return OptionalDouble.of(0);
        return OptionalDouble.of(Math.min(1.0, (double) counters.visited() / total));
    }

    BulkJob with(State s, Position p, Counters c, Instant now, String error) {
        String e = error == null ? "" : error;
        return new BulkJob(id, action, bucket, prefix, parameters, s, p, c, total, created, now,
                e.length() > WorkItem.MAX_ERROR ? e.substring(0, WorkItem.MAX_ERROR) : e);
    }

    static String checkAction(String action) {
        if (action == null || !ACTION.matcher(action).matches()) {
            throw new IllegalArgumentException("bulk job action must be 1 to " + MAX_ACTION + " characters of a-z 0-9 . -");
        }
        return action;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BulkJob j && id == j.id && action.equals(j.action) && bucket.equals(j.bucket)
                && prefix.equals(j.prefix) && Arrays.equals(parameters, j.parameters) && state == j.state
                && position.equals(j.position) && counters.equals(j.counters) && total == j.total
                && created.equals(j.created) && updated.equals(j.updated) && lastError.equals(j.lastError);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "BulkJob[id=" + id + ", action=" + action + ", bucket=" + bucket + ", prefix=" + prefix + ", state=" + state
                + ", position=" + position + ", counters=" + counters + ", total=" + total + ", updated=" + updated
                + ", lastError=" + lastError + "]";
    }
}
