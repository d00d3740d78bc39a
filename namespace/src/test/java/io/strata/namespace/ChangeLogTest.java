package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change log behind {@link Namespace#changeFeed()}: what is logged, restarts, cursors and trimming. */
class ChangeLogTest {
    private static final BucketName B = bucketName("bucket");
    private static final RocksDbNamespace.Settings FAST = new RocksDbNamespace.Settings(16L << 20, false);

    @TempDir
    Path dir;
    private RocksDbNamespace ns;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private ChangeFeed open(ChangeLogLimits limits) {
        ns = RocksDbNamespace.open(dir.resolve("ns"), FAST, clock, limits);
        return ns.changeFeed();
    }

    private ChangeFeed reopen(ChangeLogLimits limits) {
        ns.close();
        return open(limits);
    }

    @AfterEach
    void close() {
        if (ns != null) ns.close();
    }

    private static List<ChangeEntry> all(ChangeFeed feed, long after) {
        List<ChangeEntry> out = new ArrayList<>();
        ChangePage page;
        do {
            page = feed.changes(after, 3);
            out.addAll(page.entries());
            after = page.nextAfter();
        } while (page.more());
        return out;
    }

    private static List<String> described(List<ChangeEntry> entries) {
        return entries.stream().map(e -> e.kind() + " " + e.bucket().value()
                + e.version().map(v -> " " + v.key().value() + " " + v.versionId()).orElse("")
                + (e.detail().isEmpty() ? "" : " " + e.detail())).toList();
    }

    private ObjectVersion put(String k) {
        return ns.putObject(version("bucket", k)).version();
    }

    @Test
    void aListenerHearsOfEachCommitThatLoggedEntries() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        feed.onAppend(calls::incrementAndGet);
        feed.onAppend(() -> {
            throw new IllegalStateException("a failing listener fails no commit");
        });
        ns.createBucket(bucket("bucket"));
        put("a");
        ns.addWork("replication.t", new byte[] {1}, java.time.Instant.EPOCH);   // logs nothing
        put("b");
        assertEquals(3, calls.get());
        assertEquals(3, all(feed, 0).size());
    }

    @Test
    void everyKindOfMutationIsLoggedWithWhatItChanged() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        ObjectVersion a = put("a");
        ns.putBucketConfig(B, "policy", "{}".getBytes(StandardCharsets.UTF_8));
        ns.deleteBucketConfig(B, "policy");
        ObjectVersion tagged = a.withHeaders(java.util.Map.of("x-strata-tagging", "t=1"));
        ns.replaceVersion(a, tagged);
        ns.relocateVersion(tagged, tagged, OptionalLong.empty());
        ns.deleteObject(B, key("a"));
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion b = put("b");
        ObjectVersion marker = ns.deleteObject(B, key("b")).marker().orElseThrow();
        ns.deleteVersion(B, key("b"), marker.versionId());
        ns.deleteVersion(B, key("b"), b.versionId());
        ns.createUpload(Fixtures.upload("bucket", "m", "up-1", Fixtures.T0));
        Part part = Fixtures.part(1);
        ns.putPart(B, key("m"), "up-1", part);
        ObjectVersion mp = ns.completeUpload("up-1", new ObjectVersion(B, key("m"), "null", part.size(), "e-1",
                Fixtures.T0, "binary/octet-stream", java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), 1,
                List.of(part.segment()))).version();
        ns.deleteVersion(B, key("m"), mp.versionId());
        ns.deleteBucket(B);

        List<ChangeEntry> entries = all(feed, 0);
        assertEquals(List.of(
                "BUCKET_CREATED bucket",
                "VERSION_PUT bucket a null",
                "BUCKET_CONFIG_PUT bucket policy",
                "BUCKET_CONFIG_DELETED bucket policy",
                "VERSION_METADATA bucket a null",
                "VERSION_RELOCATED bucket a null",
                "VERSION_DELETED bucket a null",
                "BUCKET_VERSIONING bucket ENABLED",
                "VERSION_PUT bucket b " + b.versionId(),
                "DELETE_MARKER_PUT bucket b " + marker.versionId(),
                "VERSION_DELETED bucket b " + marker.versionId(),
                "VERSION_DELETED bucket b " + b.versionId(),
                "VERSION_PUT bucket m " + mp.versionId(),
                "VERSION_DELETED bucket m " + mp.versionId(),
                "BUCKET_DELETED bucket"), described(entries));
        for (int i = 0; i < entries.size(); i++) assertEquals(i + 1, entries.get(i).sequence());
        assertEquals(ChangeEntry.VersionRef.of(tagged), entries.get(4).version().orElseThrow());
        assertEquals(clock.instant(), entries.getFirst().committed());
        assertEquals(entries.size(), feed.head());
    }

    @Test
    void lifecycleDeletesAreMarkedAsLifecycleAndClientDeletesAreNot() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion a = put("a");
        put("b");
        ns.deleteObjectIf(a).orElseThrow();
        ns.deleteObject(B, key("b"));

        List<ChangeEntry> markers = all(feed, 0).stream()
                .filter(e -> e.kind() == ChangeEntry.Kind.DELETE_MARKER_PUT).toList();
        assertEquals(List.of("DELETE_MARKER_PUT bucket a " + markers.get(0).version().orElseThrow().versionId()
                        + " " + ChangeEntry.LIFECYCLE,
                "DELETE_MARKER_PUT bucket b " + markers.get(1).version().orElseThrow().versionId()),
                described(markers));
    }

    @Test
    void aReplicationStatusIsStoredWithoutAChangeEntryAndOnlyOnTheExpectedRecord() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        ObjectVersion a = put("a");
        long head = feed.head();

        assertTrue(ns.setReplicationStatus(a, ReplicationStatus.PENDING));
        ObjectVersion pending = ns.object(B, key("a")).orElseThrow();
        assertEquals(ReplicationStatus.PENDING, pending.attributes().replicationStatus());
        assertEquals(a.withAttributes(a.attributes().withReplicationStatus(ReplicationStatus.PENDING)), pending);
        // The record changed, so a status set on the old one is refused and changes nothing.
        assertFalse(ns.setReplicationStatus(a, ReplicationStatus.FAILED));
        assertTrue(ns.setReplicationStatus(pending, ReplicationStatus.COMPLETED));
        assertEquals(ReplicationStatus.COMPLETED, ns.object(B, key("a")).orElseThrow().attributes().replicationStatus());
        assertEquals(head, feed.head());
    }

    @Test
    void refusedAndNoOpMutationsAppendNothing() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        ObjectVersion a = put("a");
        ObjectVersion current = put("a");
        long head = feed.head();

        assertThrows(NamespaceException.class, () -> ns.createBucket(bucket("bucket")));
        assertThrows(NamespaceException.class, () -> ns.deleteBucket(B));
        assertThrows(NamespaceException.class, () -> ns.putObject(version("missing", "k")));
        assertFalse(ns.replaceVersion(a, a.withHeaders(java.util.Map.of("x", "y"))));
        assertEquals(Optional.empty(), ns.deleteObjectIf(a));
        assertEquals(Optional.empty(), ns.deleteVersion(B, key("a"), "0123456789abcdef0123456789abcdef"));
        assertFalse(ns.deleteBucketConfig(B, "cors"));
        ns.setVersioning(B, BucketVersioning.UNVERSIONED);
        ns.deleteObject(B, key("never-written"));
        assertThrows(NamespaceException.class, () -> ns.completeUpload("nope", current));

        assertEquals(head, feed.head());
        assertEquals(List.of(), feed.changes(head, 100).entries());
    }

    @Test
    void sequencesContinueAfterARestartAndAfterEverythingWasTrimmed() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        put("a");
        put("b");
        assertEquals(3, feed.head());

        feed = reopen(ChangeLogLimits.DEFAULT);
        assertEquals(3, feed.head());
        put("c");
        assertEquals(List.of(4L), all(feed, 3).stream().map(ChangeEntry::sequence).toList());

        // No cursor: a trim removes every entry, and nothing is left to recover the sequence from but the mark.
        assertEquals(0, feed.trimmedThrough());
        assertEquals(4, feed.trim());
        assertEquals(4, feed.trimmedThrough());
        assertEquals(List.of(), feed.changes(4, 10).entries());
        feed = reopen(ChangeLogLimits.DEFAULT);
        assertEquals(4, feed.head());
        assertEquals(4, feed.trimmedThrough());
        put("d");
        assertEquals(List.of(5L), all(feed, 4).stream().map(ChangeEntry::sequence).toList());
    }

    @Test
    void aSequenceAbandonedByAFailedWriteIsNotHandedOutAgainAfterARestart() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        // A commit took sequence 2 and its write failed: the sequence is abandoned, and head counts it.
        long abandoned = ns.changeLog().reserve(1);
        ns.changeLog().finished(abandoned);
        assertEquals(abandoned, feed.head());
        ChangeCursor c = feed.registerCursor("replica");
        assertEquals(abandoned, c.position());

        feed = reopen(ChangeLogLimits.DEFAULT);
        put("after-restart");
        assertEquals(List.of("VERSION_PUT bucket after-restart null"), described(all(feed, c.position())));
    }

    @Test
    void entriesAreTrimmedOnlyBelowTheSlowestCursor() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        ChangeCursor fast = feed.registerCursor("fast");
        ChangeCursor slow = feed.registerCursor("slow");
        assertEquals(1, fast.position());
        for (int i = 0; i < 10; i++) put("k" + i);
        feed.advanceCursor("fast", 11);
        feed.advanceCursor("slow", 5);

        assertEquals(5, feed.trim());
        assertEquals(6, all(feed, 5).size());
        assertEquals(ChangeFeedException.Reason.TRIMMED,
                assertThrows(ChangeFeedException.class, () -> feed.changes(4, 10)).reason());
        assertFalse(feed.cursor("slow").orElseThrow().trimmedPast());

        assertTrue(feed.removeCursor("slow"));
        assertEquals(11, feed.trim());
        assertEquals(List.of(), feed.changes(11, 10).entries());
        assertFalse(feed.cursor("fast").orElseThrow().trimmedPast());
        assertEquals("slow", slow.name());
    }

    @Test
    void aConsumerOvertakenByTheByteBoundIsToldAndCanResynchronise() {
        ChangeFeed feed = open(new ChangeLogLimits(1_000, Duration.ofDays(7)));
        ns.createBucket(bucket("bucket"));
        feed.registerCursor("replica");
        for (int i = 0; i < 40; i++) put("key-" + i);

        long trimmed = feed.trim();
        assertTrue(trimmed > 1, "the byte bound trims past the cursor: " + trimmed);
        ChangeCursor c = feed.cursor("replica").orElseThrow();
        assertTrue(c.trimmedPast());
        ChangeFeedException e = assertThrows(ChangeFeedException.class, () -> feed.changes(c.position(), 10));
        assertEquals(ChangeFeedException.Reason.TRIMMED, e.reason());
        assertEquals(trimmed, e.trimmedThrough());
        // What is left fits the bound and runs up to the head without a gap.
        List<ChangeEntry> left = all(feed, trimmed);
        assertEquals(feed.head() - trimmed, left.size());
        assertTrue(left.stream().mapToLong(x -> 8 + ChangeEntryCodec.encode(x).length).sum() <= 1_000);

        assertTrue(feed.removeCursor("replica"));
        ChangeCursor again = feed.registerCursor("replica");
        assertFalse(again.trimmedPast());
        assertEquals(feed.head(), again.position());
        assertEquals(List.of(), feed.changes(again.position(), 10).entries());
    }

    @Test
    void entriesOlderThanTheAgeBoundAreTrimmedEvenIfACursorNeedsThem() {
        ChangeFeed feed = open(new ChangeLogLimits(ChangeLogLimits.DEFAULT_MAX_BYTES, Duration.ofHours(1)));
        ns.createBucket(bucket("bucket"));
        feed.registerCursor("slow");
        put("old-1");
        put("old-2");
        clock.now = clock.now.plus(Duration.ofMinutes(61));
        put("new");

        assertEquals(3, feed.trim());
        assertTrue(feed.cursor("slow").orElseThrow().trimmedPast());
        assertEquals(List.of("VERSION_PUT bucket new null"), described(all(feed, 3)));
    }

    @Test
    void cursorsAreDurableAndOnlyMoveForward() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        put("a");
        ChangeCursor c = feed.registerCursor("c");
        assertEquals(2, c.position());
        put("b");
        assertEquals(c, feed.registerCursor("c"), "registering again changes nothing");
        assertEquals(3, feed.advanceCursor("c", 3).position());
        assertEquals(3, feed.advanceCursor("c", 1).position(), "never backwards");
        assertThrows(IllegalArgumentException.class, () -> feed.advanceCursor("c", 4));
        assertEquals(ChangeFeedException.Reason.NO_SUCH_CURSOR,
                assertThrows(ChangeFeedException.class, () -> feed.advanceCursor("other", 1)).reason());
        assertThrows(IllegalArgumentException.class, () -> feed.registerCursor(""));
        assertThrows(IllegalArgumentException.class, () -> feed.registerCursor("a\0b"));

        ChangeFeed reopened = reopen(ChangeLogLimits.DEFAULT);
        assertEquals(List.of(new ChangeCursor("c", 3, false)), reopened.cursors());
        assertFalse(reopened.removeCursor("other"));
    }

    @Test
    void aReaderNeverPassesASequenceWhoseWriteIsStillInFlight() {
        // Two commits took sequences 1 and 2; 2's write ended first. Reading up to 2 and moving a cursor
        // there would skip 1 for good once it lands, so the head stays below 1 until its write ends.
        ChangeLog log = new ChangeLog(null, null, null, null, batch -> {
        }, clock, ChangeLogLimits.DEFAULT);
        long first = log.reserve(1);
        long second = log.reserve(2);
        assertEquals(1, first);
        assertEquals(2, second);
        log.finished(second);
        assertEquals(0, log.head());
        log.finished(first);
        assertEquals(3, log.head());
    }

    @Test
    void theLogIsTrimmedInTheBackgroundAsItGrows() {
        ChangeFeed feed = open(ChangeLogLimits.DEFAULT);
        ns.createBucket(bucket("bucket"));
        List<ObjectVersion> batch = new ArrayList<>();
        for (int i = 0; i <= ChangeLog.TRIM_EVERY; i++) batch.add(version("bucket", "k" + i));
        ns.putObjects(B, batch, 1_000);
        // No cursor: the background trim started by the append removes everything; wait for it, bounded.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ChangeFeedException seen = null;
        while (seen == null && System.nanoTime() < deadline) {
            try {
                feed.changes(0, 1);
                Thread.onSpinWait();
            } catch (ChangeFeedException e) {
                seen = e;
            }
        }
        assertTrue(seen != null && seen.trimmedThrough() >= ChangeLog.TRIM_EVERY, "no background trim");
    }
}
