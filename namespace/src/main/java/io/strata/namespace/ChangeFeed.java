package io.strata.namespace;

import java.util.List;
import java.util.Optional;

/**
 * The namespace's change log: every mutation clients can observe (see {@link ChangeEntry} for the
 * kinds) appends an entry in the same synced RocksDB write as the mutation, so an entry exists
 * exactly when its mutation was committed, once, and a refused or failed mutation appends nothing.
 * Sequences increase in commit order (mutations of one key are logged in the order they took
 * effect; a mutation that returned before another began has the smaller sequence), survive restarts
 * and are never reused. A reader sees an entry only once every smaller sequence is written or
 * abandoned, so reading on from the last sequence seen never skips one.
 *
 * <p>Consumers (replication, snapshot export) keep named, durable cursors. The log is trimmed below
 * the slowest cursor (with no cursor, nothing is kept for long), and bounded by
 * {@link ChangeLogLimits}: past either bound the oldest entries go even if a cursor still needs them,
 * and that consumer is told so, never left to skip changes silently: {@link #changes} after a trimmed
 * sequence throws {@link ChangeFeedException.Reason#TRIMMED}, its cursor reports
 * {@link ChangeCursor#trimmedPast()}, and the trim is logged at WARN naming the cursor. Trimming runs
 * in the background after every few thousand entries and on {@link #trim()}.
 *
 * <p>A consumer's loop: {@link #registerCursor} once (it starts at the current end, and entries
 * after it are kept for it from then on); then copy the current state (list the buckets), then
 * repeatedly read {@link #changes}{@code (cursor.position(), n)}, act on the entries (idempotently:
 * after a crash some are read again), and {@link #advanceCursor} to the page's {@code nextAfter}. To
 * resynchronise after {@code TRIMMED}: {@link #removeCursor}, register again, copy the state again.
 *
 * <p>Thread-safe. Every method may throw {@link NamespaceException} with reason UNAVAILABLE when the
 * store is closed or failed. Cursor names are 1 to 255 characters without NUL; others throw
 * {@link IllegalArgumentException}.
 */
public interface ChangeFeed {

    /**
     * Calls {@code listener} after each commit that logged entries, on the committing thread, once they
     * are written: a consumer can wake at once instead of polling. The entries are readable then, or
     * as soon as an older commit still being written finishes (which calls the listeners too). The
     * listener must return quickly and must not call the namespace (the committer may still hold its
     * locks); what it throws is logged and ignored. Kept for the namespace's life.
     */
    void onAppend(Runnable listener);

    /** The newest sequence a reader can see (0 when nothing was ever logged). */
    long head();

    /**
     * The trim mark: every sequence up to it is gone from the log (0 when nothing was trimmed). A
     * read of the log; it trims nothing (unlike {@link #trim()}).
     */
    long trimmedThrough();

    /**
     * Up to {@code limit} entries with sequences greater than {@code afterSequence}, in order; empty
     * when there are none yet. Reads one consistent point in time.
     *
     * @throws ChangeFeedException TRIMMED if entries after {@code afterSequence} were trimmed
     * @throws IllegalArgumentException if {@code afterSequence} or {@code limit} is negative
     */
    ChangePage changes(long afterSequence, int limit);

    /**
     * Registers a cursor at {@link #head()}, durably. Idempotent: an existing cursor of that name is
     * returned unchanged.
     */
    ChangeCursor registerCursor(String name);

    /** The cursor of that name, if registered. */
    Optional<ChangeCursor> cursor(String name);

    /** Every cursor, by name. */
    List<ChangeCursor> cursors();

    /**
     * Moves a cursor forward to {@code sequence}, durably; entries at or below the slowest cursor
     * may then be trimmed. Idempotent: a sequence at or below the cursor's position changes nothing.
     *
     * @return the cursor as stored
     * @throws ChangeFeedException NO_SUCH_CURSOR
     * @throws IllegalArgumentException if {@code sequence} is beyond {@link #head()}
     */
    ChangeCursor advanceCursor(String name, long sequence);

    /** Removes a cursor; the entries it held may then be trimmed. Idempotent. @return whether it existed */
    boolean removeCursor(String name);

    /**
     * Trims now: entries at or below every cursor (all visible entries when there is none), then the
     * oldest beyond the {@link ChangeLogLimits}. One synced write.
     *
     * @return the highest sequence trimmed so far (0 if none)
     */
    long trim();
}
