package io.strata.tiering.placement;

import io.strata.namespace.BucketName;
import io.strata.namespace.ChangeEntry;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.ChangeFeedException;
import io.strata.namespace.ChangePage;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.TierMover;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The "keep the newest N hot" objectives ({@link KeepNewestRule}): a background pass lists each
 * rule's prefix, ranks it ({@link NewestRanking}) and destages every hot version beyond the newest N
 * to the rule's tier through {@link PlacementMoves#toCold}, the same path as watermark eviction and
 * lifecycle transitions (copied and verified before the record changes; the hot copy freed through
 * the garbage queue). A rule acts whatever the hot tier's fill: a version that ranks out goes cold
 * even far under the watermark, and one that ranks within N is kept hot ({@link #keepsHot}, which
 * eviction and transitions ask). Versions already cold stay cold: nothing here moves data hot.
 *
 * <p>Passes run every {@code interval}, and sooner when the change log shows a version written or
 * deleted under a rule's prefix: a new checkpoint pushes the oldest kept one out within about a second
 * instead of an interval. Such early passes keep a gap of at least {@value #MIN_GAP_MILLIS} ms, and of
 * {@value #GAP_PER_LISTING} times the time the last pass spent listing and ranking (its moves not
 * counted): a burst of writes into a prefix of many versions (20,000 list in about a second here)
 * would otherwise keep a core busy listing it again and again. Memory per rule is bounded by its N
 * (see {@link NewestRanking}); a pass holds one listing page. Thread-safe; one pass at a time.
 */
final class KeepNewest {
    private static final Logger LOG = LoggerFactory.getLogger(KeepNewest.class);
    static final long MIN_GAP_MILLIS = 1000;
    /** Early passes leave this many times their listing time idle: listing takes at most a tenth of a core. */
    static final int GAP_PER_LISTING = 9;
    private static final int PAGE = 1000;
    /** Change log pages a wake reads before it simply runs every rule (a burst of writes elsewhere). */
    private static final int WAKE_PAGES = 16;
    /**
     * Failed moves in a row after which a rule's pass stops: the tier is likely down, and trying every
     * remaining version would only log the same failure for each. The next pass tries again.
     */
    static final int FAILURES_IN_A_ROW = 3;

    /** One rule, its latest ranking and its counters. */
    static final class RuleState {
        final KeepNewestRule rule;
        volatile NewestRanking ranking;
        /** Groups the last completed pass listed (published with its pass count, so a reader seeing it sees that pass done). */
        volatile long groups;
        final LongAdder passes = new LongAdder();
        final LongAdder destaged = new LongAdder();
        final LongAdder destagedBytes = new LongAdder();
        final LongAdder failures = new LongAdder();
        volatile Instant lastPass;
        volatile String lastError = "";

        RuleState(KeepNewestRule rule) {
            this.rule = rule;
            this.ranking = NewestRanking.unknown(rule);
        }

        KeepNewestStatus status(Optional<String> defaultTier) {
            return new KeepNewestStatus(rule, rule.tier().or(() -> defaultTier), groups, passes.sum(),
                    destaged.sum(), destagedBytes.sum(), failures.sum(), Optional.ofNullable(lastPass), lastError);
        }
    }

    private final Namespace namespace;
    private final PlacementMoves moves;
    private final Supplier<Optional<String>> defaultTier;
    /**
     * The versions placement is moving now, shared with promotion, restores and eviction: a destage
     * claims its version here first, so no two moves of one version copy it at once.
     */
    private final Set<VersionRef> moving;
    private final Clock clock;
    private final List<RuleState> rules;
    private final ReentrantLock passLock = new ReentrantLock();
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wake = wakeLock.newCondition();
    private volatile boolean changed;
    private volatile boolean closing;
    private Thread worker;

    KeepNewest(Namespace namespace, PlacementMoves moves, List<KeepNewestRule> rules, Supplier<Optional<String>> defaultTier,
               Set<VersionRef> moving, Clock clock) {
        this.namespace = namespace;
        this.moves = moves;
        this.defaultTier = defaultTier;
        this.moving = moving;
        this.clock = clock;
        this.rules = rules.stream().map(RuleState::new).toList();
    }

    List<KeepNewestStatus> status() {
        Optional<String> tier = defaultTier.get();
        return rules.stream().map(s -> s.status(tier)).toList();
    }

    /**
     * True if a rule keeps the version hot: it covers the version and ranks it within its newest N (or
     * has not ranked its prefix yet). Versions no rule has an opinion on give false.
     */
    boolean keepsHot(ObjectVersion v) {
        for (RuleState s : rules) if (s.ranking.keepsHot(v)) return true;
        return false;
    }

    /** True if a rule ranks the version beyond its newest N and no rule keeps it hot: it belongs in the cold tier. */
    boolean destages(ObjectVersion v) {
        boolean out = false;
        for (RuleState s : rules) {
            if (s.ranking.keepsHot(v)) return false;
            out |= s.ranking.rankedOut(v);
        }
        return out;
    }

    /** Starts the background passes (the first at once), woken early by commits under a rule's prefix. */
    void start(Duration interval, ChangeFeed feed) {
        if (rules.isEmpty()) return;
        long[] after = {feed.head()};
        feed.onAppend(() -> {
            changed = true;
            signal();
        });
        worker = Thread.ofVirtual().name("strata-placement-keep-newest").start(() -> loop(interval, feed, after));
    }

    private void signal() {
        wakeLock.lock();
        try {
            wake.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    private void loop(Duration interval, ChangeFeed feed, long[] after) {
        long minGap = TimeUnit.MILLISECONDS.toNanos(MIN_GAP_MILLIS);
        long nextFull = System.nanoTime();
        long nextEarly = System.nanoTime();
        while (!closing) {
            try {
                long now = System.nanoTime();
                if (now - nextFull >= 0) {
                    changed = false;
                    after[0] = feed.head();
                    long listing = pass(rules);
                    nextFull = now + interval.toNanos();
                    nextEarly = System.nanoTime() + Math.max(minGap, GAP_PER_LISTING * listing);
                } else if (changed && now - nextEarly >= 0) {
                    changed = false;
                    List<RuleState> touched = touched(feed, after);
                    if (!touched.isEmpty()) {
                        long listing = pass(touched);
                        nextEarly = System.nanoTime() + Math.max(minGap, GAP_PER_LISTING * listing);
                    }
                }
            } catch (RuntimeException e) {
                if (closing) return;
                LOG.warn("keep-newest pass failed: {}", e.toString());
            }
            wakeLock.lock();
            try {
                if (closing) return;
                long now = System.nanoTime();
                long until = changed && nextEarly - nextFull < 0 ? nextEarly : nextFull;
                if (until - now > 0) wake.awaitNanos(until - now);
            } catch (InterruptedException e) {
                return;
            } finally {
                wakeLock.unlock();
            }
        }
    }

    /**
     * The rules with a version written or deleted under their prefix since {@code after[0]} (moves
     * between tiers are not: they are this pass's own doing). A log trimmed past that point, or more
     * changes than a few pages, give every rule.
     */
    private List<RuleState> touched(ChangeFeed feed, long[] after) {
        Set<RuleState> touched = new LinkedHashSet<>();
        try {
            for (int i = 0; i < WAKE_PAGES; i++) {
                ChangePage page = feed.changes(after[0], PAGE);
                for (ChangeEntry e : page.entries()) {
                    if (e.version().isEmpty() || e.kind() == ChangeEntry.Kind.VERSION_RELOCATED
                            || e.kind() == ChangeEntry.Kind.VERSION_METADATA) continue;
                    for (RuleState s : rules) {
                        if (s.rule.covers(e.bucket().value(), e.version().get().key().value())) touched.add(s);
                    }
                }
                after[0] = page.nextAfter();
                if (!page.more()) return new ArrayList<>(touched);
            }
        } catch (ChangeFeedException e) {
            // Trimmed past the point read to (no cursor holds the log for this reader): run every rule.
        }
        after[0] = feed.head();
        return rules;
    }

    /** One pass over every rule, now (tests). */
    void passNow() {
        pass(rules);
    }

    /** One pass over these rules; returns the nanoseconds it spent listing and ranking (not moving). */
    private long pass(List<RuleState> which) {
        passLock.lock();
        long listing = 0;
        try {
            for (RuleState s : which) {
                if (closing) break;
                long started = System.nanoTime();
                long[] movingNanos = {0};
                try {
                    runRule(s, movingNanos);
                } catch (NamespaceException e) {
                    if (closing) break;
                    s.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
                    LOG.warn("keep-newest rule {}: pass failed: {}", s.rule.name(), e.toString());
                }
                listing += System.nanoTime() - started - movingNanos[0];
            }
        } finally {
            passLock.unlock();
        }
        return listing;
    }

    /**
     * Ranks the rule's prefix from one listing, then destages what ranks out, from a second listing;
     * adds the nanoseconds spent moving to {@code movingNanos[0]}.
     */
    private void runRule(RuleState s, long[] movingNanos) {
        KeepNewestRule rule = s.rule;
        BucketName bucket = new BucketName(rule.bucket());
        long started = System.nanoTime();
        if (namespace.bucket(bucket).isEmpty()) {
            s.lastPass = clock.instant();
            s.passes.increment();
            return;
        }
        NewestRanking.Builder builder = NewestRanking.builder(rule);
        forEachVersion(bucket, rule.prefix(), v -> {
            builder.offer(v);
            return true;
        });
        if (closing) return;
        NewestRanking ranking = builder.build();
        s.ranking = ranking;
        Optional<String> tier = rule.tier().or(defaultTier);
        long[] moved = {0, 0, 0, 0};   // moved, bytes, failed, failed in a row
        if (tier.isEmpty()) {
            s.lastError = "no cold tier to destage to";
            LOG.warn("keep-newest rule {}: no cold tier to destage to", rule.name());
        } else {
            forEachVersion(bucket, rule.prefix(), v -> {
                if (v.deleteMarker() || v.size() == 0 || TierMover.coldName(v).isPresent() || !ranking.rankedOut(v)) {
                    return true;
                }
                long start = System.nanoTime();
                destage(s, v, tier.get(), moved);
                movingNanos[0] += System.nanoTime() - start;
                return moved[3] < FAILURES_IN_A_ROW;
            });
        }
        s.groups = ranking.groups();
        s.lastPass = clock.instant();
        s.passes.increment();
        if (moved[0] > 0 || moved[2] > 0) {
            LOG.info("keep-newest pass: rule={} bucket={} prefix={} group-by={} keep={} groups={} tier={} destaged={} "
                            + "bytes={} failed={} millis={}", rule.name(), rule.bucket(), rule.prefix(), rule.groupBy().label(),
                    rule.versions(), ranking.groups(), tier.orElse(""), moved[0], moved[1], moved[2],
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /**
     * Moves one ranked-out version cold unless placement is moving it already; {moved, bytes, failed,
     * failed in a row} count what happened. Failures are logged, not thrown.
     */
    private void destage(RuleState s, ObjectVersion listed, String tier, long[] moved) {
        VersionRef ref = VersionRef.of(listed);
        if (!moving.add(ref)) return;
        try {
            // The listing's record may be stale by now: move the version as it is (the move's compare-and-set
            // catches what changes after this read).
            Optional<ObjectVersion> current = namespace.version(listed.bucket(), listed.key(), listed.versionId());
            if (current.isEmpty() || TierMover.coldName(current.get()).isPresent()) return;
            if (moves.toCold(current.get(), tier)) {
                moved[0]++;
                moved[1] += current.get().size();
                s.destaged.increment();
                s.destagedBytes.add(current.get().size());
            }
            moved[3] = 0;
        } catch (RuntimeException e) {
            if (closing) return;
            moved[2]++;
            moved[3]++;
            s.failures.increment();
            s.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("keep-newest rule {}: destaging bucket={} key={} version={} to {} failed: {}", s.rule.name(),
                    listed.bucket(), listed.key(), listed.versionId(), tier, e.toString());
        } finally {
            moving.remove(ref);
        }
    }

    /**
     * Every version and delete marker under the prefix in listing order, page by page (memory: one
     * page), until the visitor answers false.
     */
    private void forEachVersion(BucketName bucket, String prefix, Predicate<ObjectVersion> visitor) {
        String keyMarker = "";
        String versionMarker = "";
        VersionPage page;
        do {
            page = namespace.listVersions(bucket, new VersionQuery(prefix, "", keyMarker, versionMarker, PAGE));
            for (VersionPage.Entry e : page.versions()) {
                if (closing || !visitor.test(e.version())) return;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        } while (page.truncated() && !closing);
    }

    void close() {
        closing = true;
        signal();
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
