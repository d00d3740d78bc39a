package io.strata.tiering.placement;

import io.strata.namespace.ObjectVersion;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Which versions under a {@link KeepNewestRule} rank beyond its newest N, decided from one listing of
 * the prefix. Built in two steps so memory stays bounded by N whatever the number of versions: a
 * {@link Builder} is offered every version of the listing in its order (keys ascending, each key's
 * versions newest first) and keeps only the N newest groups; the ranking it builds then answers
 * {@link #rankedOut} for any version, including ones written after the listing. Immutable and
 * thread-safe once built.
 *
 * <p>The ranking is a cut-off, not a list: a version (or directory) ranks out when it sorts below the
 * N-th newest seen. So a version written after the listing ranks in (it is newer than the cut-off),
 * and a version never seen is judged by the same comparison. Ties in Last-Modified (shards of one
 * checkpoint written in one millisecond) are broken by key, then version id, so every pass ranks the
 * same listing the same way.
 */
final class NewestRanking {
    /** A rank position: newer Last-Modified ranks higher, then the greater key (or directory), then version id. */
    record Position(Instant lastModified, String name, String versionId) implements Comparable<Position> {
        private static final Comparator<Position> ORDER = Comparator.comparing(Position::lastModified)
                .thenComparing(Position::name).thenComparing(Position::versionId);

        @Override
        public int compareTo(Position o) {
            return ORDER.compare(this, o);
        }
    }

    private final KeepNewestRule rule;
    /** The N-th newest group's position; empty while fewer than N groups exist (nothing ranks out). */
    private final Optional<Position> cutoff;
    /** Under {@link KeepNewestRule.GroupBy#DIRECTORY}: the N directories kept. */
    private final Set<String> keptDirectories;
    private final int groups;

    private NewestRanking(KeepNewestRule rule, Optional<Position> cutoff, Set<String> keptDirectories, int groups) {
        this.rule = rule;
        this.cutoff = cutoff;
        this.keptDirectories = Set.copyOf(keptDirectories);
        this.groups = groups;
    }

    /** A ranking before any listing: nothing ranks out, so everything under the rule stays hot. */
    static NewestRanking unknown(KeepNewestRule rule) {
        return new NewestRanking(rule, Optional.empty(), Set.of(), 0);
    }

    static Builder builder(KeepNewestRule rule) {
        return new Builder(rule);
    }

    /** Groups (versions, or directories) the listing held; delete markers and loose keys not counted. */
    int groups() {
        return groups;
    }

    /**
     * True if the version ranks beyond the rule's newest N: it is to go cold. False for versions the rule
     * does not cover, delete markers, and (under directory grouping) keys directly under the prefix.
     *
     * <p>Under directory grouping a version ranks out when its directory is not among the N kept and
     * the version sorts below the N-th directory's newest write. A directory seen by the listing and
     * not kept has every version below that; a directory written to after the listing with a newer
     * version has that version above it, so the new write stays hot (the next listing re-ranks the
     * directory as a whole).
     */
    boolean rankedOut(ObjectVersion v) {
        if (cutoff.isEmpty() || v.deleteMarker() || !rule.covers(v.bucket().value(), v.key().value())) return false;
        return switch (rule.groupBy()) {
            case VERSION -> position(v).compareTo(cutoff.get()) < 0;
            case DIRECTORY -> {
                Optional<String> dir = rule.directory(v.key().value());
                yield dir.isPresent() && !keptDirectories.contains(dir.get())
                        && new Position(v.lastModified(), dir.get(), "").compareTo(cutoff.get()) < 0;
            }
        };
    }

    /**
     * True if the rule has an opinion on the version and ranks it within its newest N (or has not ranked
     * its prefix yet): it is pinned hot, so eviction and transitions leave it alone. False for versions
     * the rule does not cover, delete markers and, under directory grouping, keys directly under the
     * prefix (they belong to no directory).
     */
    boolean keepsHot(ObjectVersion v) {
        if (v.deleteMarker() || !rule.covers(v.bucket().value(), v.key().value())) return false;
        if (rule.groupBy() == KeepNewestRule.GroupBy.DIRECTORY && rule.directory(v.key().value()).isEmpty()) return false;
        return !rankedOut(v);
    }

    private static Position position(ObjectVersion v) {
        return new Position(v.lastModified(), v.key().value(), v.versionId());
    }

    /**
     * Collects the N newest groups of one listing. Offer the versions in listing order: under
     * directory grouping a directory's keys are contiguous in key order, so its newest write is known
     * when the listing leaves it, and only N directories are ever held. Not thread-safe.
     */
    static final class Builder {
        private final KeepNewestRule rule;
        /** The newest N seen so far, oldest on top (the one the next newer group pushes out). */
        private final PriorityQueue<Position> newest = new PriorityQueue<>();
        private String directory;
        private Instant directoryNewest;
        private int groups;

        private Builder(KeepNewestRule rule) {
            this.rule = rule;
        }

        /** Takes the next version of the listing (delete markers and keys the rule does not cover are ignored). */
        void offer(ObjectVersion v) {
            if (v.deleteMarker() || !rule.covers(v.bucket().value(), v.key().value())) return;
            switch (rule.groupBy()) {
                case VERSION -> {
                    groups++;
                    keep(position(v));
                }
                case DIRECTORY -> {
                    Optional<String> dir = rule.directory(v.key().value());
                    if (dir.isEmpty()) return;
                    if (!dir.get().equals(directory)) {
                        closeDirectory();
                        directory = dir.get();
                        directoryNewest = v.lastModified();
                    } else if (v.lastModified().isAfter(directoryNewest)) {
                        directoryNewest = v.lastModified();
                    }
                }
            }
        }

        private void closeDirectory() {
            if (directory == null) return;
            groups++;
            keep(new Position(directoryNewest, directory, ""));
            directory = null;
        }

        private void keep(Position p) {
            if (newest.size() < rule.versions()) {
                newest.add(p);
            } else if (p.compareTo(newest.peek()) > 0) {
                newest.poll();
                newest.add(p);
            }
        }

        NewestRanking build() {
            closeDirectory();
            // Fewer groups than N: everything is among the newest N, nothing ranks out.
            Optional<Position> cutoff = newest.size() < rule.versions() ? Optional.empty() : Optional.of(newest.peek());
            Set<String> kept = new HashSet<>();
            if (rule.groupBy() == KeepNewestRule.GroupBy.DIRECTORY) for (Position p : newest) kept.add(p.name());
            return new NewestRanking(rule, cutoff, kept, groups);
        }
    }
}
