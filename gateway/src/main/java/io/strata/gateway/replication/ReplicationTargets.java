package io.strata.gateway.replication;

import io.strata.gateway.config.DurableFiles;
import io.strata.gateway.config.ReplicationTargetSpec;
import io.strata.gateway.config.StrataConfig;
import io.strata.namespace.ChangeCursor;
import io.strata.namespace.ChangeFeed;
import io.strata.tiering.replication.ReplicationTarget;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The replication targets a gateway knows by name, added with {@code strata replicate target add} (or the
 * admin API) and kept in {@code DATA_DIR/replication-targets/NAME.properties}: one file per target, mode
 * 0600 as it holds the secret key, written to a temporary name, fsynced and renamed, so a target added is
 * there after a restart or a kill -9, and a crash mid-write leaves the previous state. Read again at start.
 *
 * <p>Each target has a durable cursor in the namespace's change log, {@link #cursorName}
 * ({@code replication:NAME}), registered when the target is added: from then on the log keeps every change
 * after it until the target's consumer moves it on (or the log's bounds trim past it, which the cursor
 * then reports), so no change made while a target exists is lost before it is replicated. A target's cursor
 * goes with it. A crash between the file and the cursor is repaired at the next start, which registers the
 * cursor of every target and removes {@code replication:} cursors of targets that are gone. Who moves the
 * cursor on is the replication worker's (not built yet, issue #14); until then the log keeps what a target
 * has not received, within its bounds ({@code ChangeLogLimits}).
 *
 * <p>One lock orders every change that a stored replication configuration depends on: adding and
 * removing targets here, and, through {@link #whileLocked}, storing a bucket's replication configuration
 * (whose destinations must resolve) and changing a bucket's versioning (which must stay Enabled while a
 * configuration exists). Changes are rare operator actions, so one lock for all costs nothing.
 * Thread-safe.
 */
public final class ReplicationTargets {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicationTargets.class);
    public static final String DIR = "replication-targets";
    private static final String SUFFIX = ".properties";

    /** The prefix of the change log cursors of replication targets. */
    public static final String CURSOR_PREFIX = "replication:";

    private final Path dir;
    private final ChangeFeed changes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, ReplicationTarget> targets = new TreeMap<>();
    private final ReceivedProgress received;

    /**
     * Reads the targets added before and makes the change log's {@code replication:} cursors match them.
     *
     * @param changes the change log of the namespace whose changes the targets receive
     * @throws StrataConfig.ConfigException when a target's file cannot be read or holds a bad setting
     */
    public ReplicationTargets(Path dataDir, ChangeFeed changes) {
        this.dir = dataDir.resolve(DIR);
        this.changes = changes;
        this.received = new ReceivedProgress(dataDir);
        read();
        for (ReplicationTarget t : targets.values()) changes.registerCursor(cursorName(t.name()));
        for (ChangeCursor c : changes.cursors()) {
            if (!c.name().startsWith(CURSOR_PREFIX)) continue;
            String target = c.name().substring(CURSOR_PREFIX.length());
            if (!targets.containsKey(target)) {
                LOG.info("change log cursor {} belongs to no replication target (removed before a crash): removing it", c.name());
                changes.removeCursor(c.name());
            }
        }
    }

    /** The name of target {@code name}'s change log cursor. */
    /** What this site's buckets received from other Strata sites: the complete-until point per bucket and origin. */
    public ReceivedProgress received() {
        return received;
    }

    public static String cursorName(String name) {
        return CURSOR_PREFIX + name;
    }

    private void read() {
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                String file = f.getFileName().toString();
                String name = file.substring(0, file.length() - SUFFIX.length());
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(f)) {
                    p.load(in);
                }
                targets.put(name, ReplicationTargetSpec.parse(name, k -> Optional.ofNullable(p.getProperty(k))));
            }
        } catch (IOException e) {
            throw new StrataConfig.ConfigException(dir.toString(), "cannot read the replication targets: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new StrataConfig.ConfigException(dir.toString(), e.getMessage());
        }
    }

    /** Every target, by name. */
    public List<ReplicationTarget> list() {
        lock.lock();
        try {
            return List.copyOf(targets.values());
        } finally {
            lock.unlock();
        }
    }

    /** The target named {@code name}, if there is one. */
    public Optional<ReplicationTarget> get(String name) {
        lock.lock();
        try {
            return Optional.ofNullable(targets.get(name));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps {@code target} (0600, synced) and adds it.
     *
     * @param usedBy the buckets whose stored replication configuration names a destination ARN; a second
     *               target of such an ARN would leave them without a single target, so it is refused
     * @throws IllegalStateException naming the conflict when the name is taken or the ARN is in use by a
     *         configuration and another target has it already
     */
    public void add(ReplicationTarget target, Function<String, List<String>> usedBy) throws IOException {
        lock.lock();
        try {
            if (targets.containsKey(target.name())) {
                throw new IllegalStateException("A replication target named " + target.name() + " exists already; "
                        + "remove it first with 'strata replicate target rm " + target.name() + "'.");
            }
            List<String> others = new ArrayList<>();
            for (ReplicationTarget t : targets.values()) if (t.arn().equals(target.arn())) others.add(t.name());
            List<String> buckets = others.isEmpty() ? List.of() : usedBy.apply(target.arn());
            if (!buckets.isEmpty()) {
                throw new IllegalStateException("Replication target " + String.join(", ", others) + " has bucket "
                        + target.s3().bucket() + " already, and the replication configuration of bucket(s) "
                        + String.join(", ", buckets) + " sends to " + target.arn() + ": a second target of that "
                        + "ARN would leave it without a single target.");
            }
            // The cursor first: a crash or failure before the file leaves a cursor without a target, which
            // the next start removes; the other order could leave a target that missed changes.
            changes.registerCursor(cursorName(target.name()));
            Files.createDirectories(dir);
            Properties p = new Properties();
            p.putAll(ReplicationTargetSpec.settings(target));
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            p.store(text, "replication target added with strata replicate target add; holds a secret");
            DurableFiles.write(dir.resolve(target.name() + SUFFIX), text.toByteArray(), true);
            targets.put(target.name(), target);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets a target.
     *
     * @param usedBy as for {@link #add}: a target that a stored configuration's destination resolves to
     *               stays, so no stored rule is left pointing nowhere
     * @throws NoSuchElementException for an unknown name
     * @throws IllegalStateException naming the buckets whose configuration sends to it
     */
    public void remove(String name, Function<String, List<String>> usedBy) throws IOException {
        lock.lock();
        try {
            ReplicationTarget t = targets.get(name);
            if (t == null) throw new NoSuchElementException("No replication target named " + name + ".");
            List<String> buckets = usedBy.apply(t.arn());
            if (!buckets.isEmpty()) {
                throw new IllegalStateException("Replication target " + name + " (" + t.arn() + ") is the destination of "
                        + "the replication configuration of bucket(s) " + String.join(", ", buckets)
                        + "; delete or change those first (aws s3api delete-bucket-replication).");
            }
            Files.deleteIfExists(dir.resolve(name + SUFFIX));
            targets.remove(name);
            // After the file: a crash in between leaves a cursor the next start removes.
            changes.removeCursor(cursorName(name));
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code action} while no target is added or removed and no other locked change runs (see the class). */
    public <T> T whileLocked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
