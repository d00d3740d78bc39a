package io.strata.namespace;

import java.util.List;

/**
 * One page of the change log ({@link ChangeFeed#changes}). Immutable and thread-safe.
 *
 * @param entries   in sequence order, at most the page's limit
 * @param nextAfter the sequence to pass as {@code afterSequence} for the next page (the last entry's,
 *                  or the request's own when the page is empty); sequences may have gaps (a
 *                  mutation that failed to commit leaves one), so never compute it as +1
 * @param more      whether entries after this page were already visible when it was read
 */
public record ChangePage(List<ChangeEntry> entries, long nextAfter, boolean more) {
    public ChangePage {
        entries = List.copyOf(entries);
    }
}
