package io.strata.gateway.replication;

import io.strata.gateway.config.DurableFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What this site, as a replication target, knows of its sources: per bucket and origin site, the source's
 * time up to which this bucket holds every change from there ("complete until"). The source reports it
 * (its own {@code complete_until} for the target, signed by the bucket's owner, see
 * {@link io.strata.tiering.replication.S3ReplicaSender#reportProgress}) after the replicas it covers were
 * acknowledged, so every replica from that origin modified at or before the point is already committed
 * here when the point is recorded: the consistent failover point. A value only moves forward (reports can
 * arrive out of order after retries).
 *
 * <p>Kept in {@code DATA_DIR/replication-received.properties} (written whole to a temporary name,
 * fsynced and renamed; a few lines per bucket and origin), so the point survives a restart or a kill -9;
 * not in the namespace, whose change log would otherwise grow by one entry per report. Thread-safe.
 */
public final class ReceivedProgress {
    public static final String FILE = "replication-received.properties";

    /**
     * The point one origin reported for one bucket here.
     *
     * @param until    the origin's time up to which the bucket holds every change from it
     * @param recorded when this site recorded it (this site's clock)
     */
    public record Point(String bucket, String origin, Instant until, Instant recorded) {
    }

    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Point> points = new TreeMap<>();

    /**
     * Reads the points recorded before.
     *
     * @throws UncheckedIOException when the file exists but cannot be read
     */
    public ReceivedProgress(Path dataDir) {
        this.file = dataDir.resolve(FILE);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return;   // nothing received yet
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (String name : p.stringPropertyNames()) {
            // bucket SPACE origin = until SPACE recorded; a line that does not parse is dropped (a point is
            // only ever a lower bound, the next report brings it back).
            String[] key = name.split(" ");
            String[] value = p.getProperty(name).split(" ");
            if (key.length != 2 || value.length != 2) continue;
            try {
                points.put(name, new Point(key[0], key[1], Instant.parse(value[0]), Instant.parse(value[1])));
            } catch (DateTimeParseException e) {
                // dropped, as above
            }
        }
    }

    /**
     * Records that {@code bucket} holds every change from {@code origin} up to {@code until}, if that is
     * later than what was recorded. Durable on return.
     *
     * @return whether the recorded point moved
     */
    public boolean record(String bucket, String origin, Instant until, Instant now) {
        String name = bucket + " " + origin;
        lock.lock();
        try {
            Point before = points.get(name);
            if (before != null && !until.isAfter(before.until())) return false;
            points.put(name, new Point(bucket, origin, until, now));
            write();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            lock.unlock();
        }
    }

    /** The point {@code origin} reported for {@code bucket}, if any. */
    public Optional<Point> point(String bucket, String origin) {
        lock.lock();
        try {
            return Optional.ofNullable(points.get(bucket + " " + origin));
        } finally {
            lock.unlock();
        }
    }

    /** Every point, by bucket and origin. */
    public List<Point> points() {
        lock.lock();
        try {
            return new ArrayList<>(points.values());
        } finally {
            lock.unlock();
        }
    }

    private void write() throws IOException {
        StringBuilder out = new StringBuilder("# replication: per bucket and origin site, complete-until and when recorded\n");
        for (Point p : points.values()) {
            out.append(p.bucket()).append("\\ ").append(p.origin()).append('=').append(p.until()).append(' ')
                    .append(p.recorded()).append('\n');
        }
        DurableFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8), false);
    }
}
