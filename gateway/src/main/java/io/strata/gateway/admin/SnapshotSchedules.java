package io.strata.gateway.admin;

import io.strata.gateway.config.DurableFiles;
import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.metrics.MetricsSection;
import io.strata.namespace.BucketName;
import io.strata.tiering.snapshot.KeepPolicy;
import io.strata.tiering.snapshot.SnapshotException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Retention policies and scheduled snapshots, one policy per repository, kept in
 * {@code DATA_DIR/snapshot-policies/<repository>.json}. With {@code every}, a snapshot of the
 * policy's buckets is started each interval; after each that succeeds, the policy's keep rules
 * ({@link KeepPolicy}, applied to every snapshot of the repository) forget the others and a GC
 * collects them. A scheduled snapshot that fails is retried (as every export is, after its retry
 * delay), logged at WARN, counted ({@code strata_snapshot_failures_total}), and listed with its
 * error; it never fails silently. A retention step that fails is logged and counted the same way
 * and tried again after the next snapshot.
 *
 * <p>Thread-safe: one scheduler thread runs every step; {@link #set} may be called from any thread.
 */
public final class SnapshotSchedules implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSchedules.class);
    public static final String DIR = "snapshot-policies";
    /** How often due schedules are looked for: the shortest interval that makes sense. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** A scheduled snapshot refused outright (repository unreachable, slots full) is tried again after this. */
    static final Duration RETRY = Duration.ofSeconds(30);
    private static final Pattern EVERY = Pattern.compile("(\\d{1,6})([smhd])");

    /** A repository's policy: which buckets (empty: all), how often (zero: never by itself), what to keep. */
    public record Policy(String repository, List<String> buckets, Duration every, KeepPolicy keep) {
        public Policy {
            buckets = List.copyOf(buckets);
            if (every.isNegative()) throw new IllegalArgumentException("every must not be negative");
        }
    }

    /** What the scheduler knows of a policy beyond the policy itself. */
    private static final class State {
        volatile Instant nextRun;
        volatile long exportId = -1;
        volatile int attemptsSeen;
        volatile String lastError = "";
        volatile Instant lastSnapshot;
        final LongAdder failures = new LongAdder();
    }

    private final SnapshotService service;
    private final Path dir;
    private final Clock clock;
    private final Map<String, Policy> policies = new ConcurrentHashMap<>();
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;

    public SnapshotSchedules(SnapshotService service, Path dataDir, Clock clock) throws IOException {
        this.service = service;
        this.dir = dataDir.resolve(DIR);
        this.clock = clock;
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                    Policy p = decode(Files.readString(f, StandardCharsets.UTF_8));
                    policies.put(p.repository(), p);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("a snapshot policy in " + dir + " is not valid: " + e.getMessage(), e);
            }
        }
    }

    /** Parses {@code 90s}, {@code 15m}, {@code 1h}, {@code 1d}. @throws IllegalArgumentException otherwise */
    public static Duration parseEvery(String text) {
        Matcher m = EVERY.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("every must be a number and s, m, h or d (1h, 30m), not " + text);
        long n = Long.parseLong(m.group(1));
        if (n == 0) throw new IllegalArgumentException("every must be positive");
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** Sets (replaces) a repository's policy, kept across restarts; a schedule's first snapshot starts at once. */
    public Policy set(Policy policy) throws IOException {
        service.repositories().entry(policy.repository());
        Files.createDirectories(dir);
        DurableFiles.write(dir.resolve(policy.repository() + ".json"), encode(policy).getBytes(StandardCharsets.UTF_8), false);
        policies.put(policy.repository(), policy);
        states.computeIfAbsent(policy.repository(), k -> new State()).nextRun = clock.instant();
        LOG.info("snapshot policy of repository {}: buckets {} every {} keep {}", policy.repository(),
                policy.buckets().isEmpty() ? "all" : policy.buckets(), policy.every().isZero() ? "-" : policy.every(), policy.keep());
        return policy;
    }

    public Optional<Policy> policy(String repository) {
        return Optional.ofNullable(policies.get(repository));
    }

    /** Every policy with its schedule's state, as JSON maps. */
    public List<Map<String, Object>> json() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Policy p : new TreeMap<>(policies).values()) out.add(json(p));
        return out;
    }

    public Map<String, Object> json(Policy p) {
        State s = states.computeIfAbsent(p.repository(), k -> new State());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", p.repository());
        m.put("buckets", p.buckets());
        m.put("all", p.buckets().isEmpty());
        m.put("every", p.every().isZero() ? null : p.every().toString());
        m.put("keep", p.keep().toString());
        m.put("nextRun", p.every().isZero() || s.nextRun == null ? null : s.nextRun.toString());
        m.put("failures", s.failures.sum());
        m.put("lastError", s.lastError);
        m.put("lastSnapshot", s.lastSnapshot == null ? null : s.lastSnapshot.toString());
        return m;
    }

    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("snapshot-schedule").daemon(true).factory());
        scheduler.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        for (Policy p : policies.values()) {
            if (p.every().isZero()) continue;
            try {
                step(p, states.computeIfAbsent(p.repository(), k -> new State()));
            } catch (RuntimeException e) {
                LOG.warn("snapshot schedule of repository {}: {}", p.repository(), e.toString());
            }
        }
    }

    private void step(Policy p, State s) {
        Instant now = clock.instant();
        if (s.exportId >= 0) {
            Optional<Map<String, Object>> e = service.export(s.exportId);
            String state = e.map(m -> String.valueOf(m.get("state"))).orElse("aborted");
            switch (state) {
                case "done" -> {
                    s.exportId = -1;
                    s.lastError = "";
                    s.lastSnapshot = now;
                    applyRetention(p, s);
                }
                case "aborted" -> s.exportId = -1;
                case "failed" -> {
                    int attempts = ((Number) e.get().getOrDefault("attempts", 0)).intValue();
                    if (attempts > s.attemptsSeen) {
                        s.attemptsSeen = attempts;
                        failed(p, s, String.valueOf(e.get().get("lastError")));
                    }
                }
                default -> {
                    // running, queued, waiting: its own retries go on
                }
            }
            return;
        }
        if (s.nextRun != null && now.isBefore(s.nextRun)) return;
        try {
            SnapshotService.Tracked t = service.create(new SnapshotService.Request(p.repository(),
                    p.buckets().stream().map(BucketName::new).toList(), false, false));
            s.exportId = t.id;
            s.attemptsSeen = 0;
            s.nextRun = now.plus(p.every());
            LOG.info("scheduled snapshot of repository {} started: export {}", p.repository(), t.id);
        } catch (IllegalStateException busy) {
            // An export into the repository is unfinished (perhaps a failed one being retried): it comes first.
            s.nextRun = now.plus(RETRY.compareTo(p.every()) < 0 ? RETRY : p.every());
            LOG.info("scheduled snapshot of repository {} postponed: {}", p.repository(), busy.getMessage());
        } catch (SnapshotException | java.util.concurrent.RejectedExecutionException e) {
            s.nextRun = now.plus(RETRY.compareTo(p.every()) < 0 ? RETRY : p.every());
            failed(p, s, e.getMessage());
        }
    }

    private void failed(Policy p, State s, String error) {
        s.failures.increment();
        s.lastError = error;
        LOG.warn("scheduled snapshot of repository {} failed, retried: {}", p.repository(), error);
    }

    /** Forgets what the policy does not keep, then collects the repository. */
    private void applyRetention(Policy p, State s) {
        if (p.keep().isEmpty()) return;
        try {
            List<KeepPolicy.Snapshot> all = new ArrayList<>();
            for (Map<String, Object> m : service.snapshots(Optional.of(p.repository()))) {
                if (m.get("id") instanceof String id && m.get("takenAt") instanceof String at) {
                    all.add(new KeepPolicy.Snapshot(id, Instant.parse(at)));
                }
            }
            Set<String> keep = p.keep().keep(all);
            List<String> forget = all.stream().map(KeepPolicy.Snapshot::id).filter(id -> !keep.contains(id)).toList();
            for (String id : forget) {
                try {
                    service.forget(p.repository(), List.of(id));
                } catch (SnapshotException e) {
                    // A held snapshot or the parent of an export in progress stays; the next round tries again.
                    LOG.info("snapshot {} of repository {} kept for now: {}", id, p.repository(), e.getMessage());
                }
            }
            if (!forget.isEmpty()) service.gc(p.repository(), false, false, false);
        } catch (RuntimeException e) {
            failed(p, s, "retention: " + e.getMessage());
        }
    }

    /** The schedules' lines of the scrape: failures by repository. */
    public MetricsSection metrics() {
        return out -> {
            out.append("# HELP strata_snapshot_failures_total Scheduled snapshots (or their retention) that failed, by "
                    + "repository; each is retried.\n");
            out.append("# TYPE strata_snapshot_failures_total counter\n");
            for (Policy p : new TreeMap<>(policies).values()) {
                State s = states.get(p.repository());
                out.append("strata_snapshot_failures_total{repository=\"").append(p.repository()).append("\"} ")
                        .append(s == null ? 0 : s.failures.sum()).append('\n');
            }
            Metrics.counter(out, "strata_snapshot_policies", "Snapshot retention policies set.", policies.size());
        };
    }

    @Override
    public void close() {
        if (scheduler != null) scheduler.shutdownNow();
    }

    // ---- the policy file

    static String encode(Policy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", p.repository());
        m.put("buckets", p.buckets());
        m.put("everySeconds", p.every().toSeconds());
        m.put("keepLast", p.keep().last());
        m.put("keepHourly", p.keep().hourly());
        m.put("keepDaily", p.keep().daily());
        m.put("keepWeekly", p.keep().weekly());
        m.put("keepMonthly", p.keep().monthly());
        m.put("keepWithin", p.keep().within().toString());
        return Json.write(m);
    }

    static Policy decode(String text) {
        if (!(Json.parse(text) instanceof Map<?, ?> m)) throw new IllegalArgumentException("not a JSON object");
        List<String> buckets = new ArrayList<>();
        if (m.get("buckets") instanceof List<?> l) for (Object o : l) buckets.add(String.valueOf(o));
        String within = m.get("keepWithin") instanceof String w ? w : "";
        return new Policy(String.valueOf(m.get("repository")), buckets, Duration.ofSeconds(number(m, "everySeconds")),
                new KeepPolicy((int) number(m, "keepLast"), (int) number(m, "keepHourly"), (int) number(m, "keepDaily"),
                        (int) number(m, "keepWeekly"), (int) number(m, "keepMonthly"),
                        within.isEmpty() ? KeepPolicy.Within.NONE : KeepPolicy.Within.parse(within)));
    }

    private static long number(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) throw new IllegalArgumentException(key + " is not a number");
        return n.longValue();
    }
}
