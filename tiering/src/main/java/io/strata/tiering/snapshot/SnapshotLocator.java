package io.strata.tiering.snapshot;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of one snapshot that a fresh site needs and nothing else: where the repository is, the
 * snapshot id, and the SHA-256 of its root's exact bytes, spelled
 * {@code <repository>?snap=<id>#sha256=<64 hex>} (docs/snapshot-format.md §3). The repository part
 * is {@code strata+https://host[:port]/bucket[/prefix]}, {@code strata+http://...} or
 * {@code strata+file:///dir}. Immutable.
 */
public record SnapshotLocator(String repository, String snapshot, String rootSha256) {
    private static final Pattern FORM = Pattern.compile(
            "(strata\\+(?:https?|file)://[^?#]*)\\?snap=([0-9A-Za-z][0-9A-Za-z_-]{0,63})#sha256=([0-9a-f]{64})");
    private static final Pattern ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z_-]{0,63}");

    public SnapshotLocator {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(rootSha256, "rootSha256");
        if (!ID.matcher(snapshot).matches()) throw new IllegalArgumentException("not a snapshot id: " + snapshot);
        if (!rootSha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a SHA-256: " + rootSha256);
    }

    /**
     * Parses a locator.
     *
     * @throws SnapshotException INVALID naming what is wrong
     */
    public static SnapshotLocator parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new SnapshotException(SnapshotException.Reason.INVALID, "not a snapshot locator (expected "
                    + "strata+https://HOST/BUCKET/PREFIX?snap=ID#sha256=HEX): " + text);
        }
        return new SnapshotLocator(m.group(1), m.group(2), m.group(3));
    }

    @Override
    public String toString() {
        return repository + "?snap=" + snapshot + "#sha256=" + rootSha256;
    }
}
