package io.strata.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/** The typed durable work queues: kinds, due times, attempts and errors, ids never reused. */
class WorkQueueTest {
    private static final RocksDbNamespace.Settings FAST = new RocksDbNamespace.Settings(16L << 20, false);
    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;
    private RocksDbNamespace ns;

    private void open() {
        ns = RocksDbNamespace.open(dir.resolve("ns"), FAST);
    }

    private void reopen() {
        ns.close();
        open();
    }

    @AfterEach
    void close() {
        if (ns != null) ns.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void idsAreNeverReusedAcrossRestartsEvenAfterTheQueueWasEmptied() {
        open();
        List<Long> seen = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                WorkItem w = ns.addWork("tier.to-cold", bytes("job" + i), T);
                for (long old : seen) assertTrue(w.id() > old, () -> w.id() + " reuses or precedes " + seen);
                seen.add(w.id());
            }
            for (WorkItem w : ns.work("tier.to-cold", 10)) assertTrue(ns.removeWork(w.id()));
            reopen();
        }
    }

    @Test
    void eachKindIsItsOwnQueueAndItemsKeepTheirFieldsAcrossARestart() {
        open();
        WorkItem move = ns.addWork("tier.to-cold", bytes("move"), T);
        WorkItem copy = ns.addWork("replication.copy", bytes("copy"), T.plusSeconds(60));
        reopen();
        assertEquals(List.of(move), ns.work("tier.to-cold", 10));
        assertEquals(List.of(copy), ns.work("replication.copy", 10));
        assertEquals(List.of(), ns.work("tier.to-hot", 10));
        WorkItem stored = ns.work("replication.copy", 10).getFirst();
        assertArrayEquals(bytes("copy"), stored.payload());
        assertEquals(T.plusSeconds(60), stored.notBefore());
        assertEquals(0, stored.attempts());
        assertEquals("", stored.lastError());
    }

    @Test
    void aKindsItemsAreCountedDueOrNotUpToTheBoundAndNotOtherKinds() {
        open();
        ns.addWork("replication.a", bytes("1"), T.plusSeconds(30));
        WorkItem done = ns.addWork("replication.a", bytes("2"), T);
        ns.addWork("replication.a", bytes("3"), T.minusSeconds(30));
        ns.addWork("replication.a", bytes("4"), T.plusSeconds(3600));
        ns.addWork("replication.ab", bytes("other kind"), T);
        ns.addWork("replication.", bytes("other kind"), T);
        assertEquals(4, ns.countWork("replication.a", Long.MAX_VALUE));
        assertEquals(2, ns.countWork("replication.a", 2));
        assertEquals(0, ns.countWork("replication.a", 0));
        assertEquals(0, ns.countWork("replication.none", 10));
        ns.removeWork(done.id());
        reopen();
        assertEquals(3, ns.countWork("replication.a", 10));
        assertEquals(1, ns.countWork("replication.ab", 10));
    }

    @Test
    void onlyDueItemsAreHandedOutOldestDueFirst() {
        open();
        WorkItem later = ns.addWork("replication.copy", bytes("later"), T.plusSeconds(30));
        WorkItem now = ns.addWork("replication.copy", bytes("now"), T);
        WorkItem earlier = ns.addWork("replication.copy", bytes("earlier"), T.minusSeconds(30));
        assertEquals(List.of(earlier, now), ns.dueWork("replication.copy", T, 10));
        assertEquals(List.of(earlier), ns.dueWork("replication.copy", T.minusMillis(1), 10));
        assertEquals(List.of(earlier), ns.dueWork("replication.copy", T, 1));
        assertEquals(List.of(earlier, now, later), ns.work("replication.copy", 10));
        assertEquals(List.of(), ns.dueWork("replication.copy", T.minusSeconds(31), 10));
    }

    @Test
    void workAfterPagesAQueueInTheOrderItemsWereAddedWhateverTheirDueTimes() {
        open();
        List<WorkItem> added = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            // Due times run backwards, as retries push a queue's oldest items back.
            added.add(ns.addWork("replication.copy", bytes("w" + i), T.minusSeconds(i)));
            ns.addWork("replication.copy-b", bytes("other" + i), T);   // another queue, interleaved ids
        }
        WorkItem first = added.getFirst();
        WorkItem retried = ns.retryWork(first, T.plusSeconds(3600), "down").orElseThrow();
        added.set(0, retried);
        ns.removeWork(added.get(5).id());
        added.remove(5);
        List<WorkItem> paged = new ArrayList<>();
        long after = 0;
        List<WorkItem> page;
        while (!(page = ns.workAfter("replication.copy", after, 256)).isEmpty()) {
            paged.addAll(page);
            after = page.getLast().id();
        }
        assertEquals(added, paged);
        assertEquals(List.of(), ns.workAfter("replication.copy", added.getLast().id(), 10));
        assertEquals(List.of(), ns.workAfter("replication.copy", 0, 0));
        reopen();
        assertEquals(added.subList(0, 3), ns.workAfter("replication.copy", 0, 3));
    }

    @Test
    void itemsOfADatabaseWrittenBeforeTheIdOrderIndexAreIndexedAtOpen() throws Exception {
        open();
        WorkItem a = ns.addWork("replication.copy", bytes("a"), T.plusSeconds(60));
        WorkItem b = ns.addWork("replication.copy", bytes("b"), T);
        ns.close();
        ns = null;
        // As the version before the index left it: no work-order rows and no marker that they were built.
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String name : RocksDbNamespace.COLUMN_FAMILIES) descriptors.add(new ColumnFamilyDescriptor(bytes(name)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, dir.resolve("ns").toString(), descriptors, handles)) {
            db.dropColumnFamily(handles.get(1 + RocksDbNamespace.COLUMN_FAMILIES.indexOf("work-order")));
            db.delete(handles.get(1 + RocksDbNamespace.COLUMN_FAMILIES.indexOf("meta")), bytes("work-order-built"));
            handles.forEach(ColumnFamilyHandle::close);
        }
        open();
        assertEquals(List.of(a, b), ns.workAfter("replication.copy", 0, 10));
        assertTrue(ns.removeWork(a.id()));
        reopen();
        assertEquals(List.of(b), ns.workAfter("replication.copy", 0, 10));
    }

    @Test
    void aFailedAttemptIsCountedWithItsErrorAndDelaysTheItemDurably() {
        open();
        WorkItem w = ns.addWork("replication.copy", bytes("x"), T);
        WorkItem retried = ns.retryWork(w, T.plusSeconds(10), "target unreachable").orElseThrow();
        assertEquals(1, retried.attempts());
        assertEquals("target unreachable", retried.lastError());
        assertEquals(T.plusSeconds(10), retried.notBefore());
        assertEquals(w.id(), retried.id());
        // A stale copy of the item (another worker's) changes nothing.
        assertEquals(Optional.empty(), ns.retryWork(w, T.plusSeconds(99), "stale"));
        reopen();
        assertEquals(List.of(), ns.dueWork("replication.copy", T, 10));
        assertEquals(List.of(retried), ns.dueWork("replication.copy", T.plusSeconds(10), 10));
        WorkItem again = ns.retryWork(retried, T.plusSeconds(20), "e".repeat(5000)).orElseThrow();
        assertEquals(2, again.attempts());
        assertEquals(WorkItem.MAX_ERROR, again.lastError().length());
        assertEquals(List.of(again), ns.work("replication.copy", 10));
    }

    @Test
    void removalIsIdempotentAndAGoneItemCannotBeRetried() {
        open();
        WorkItem w = ns.addWork("tier.to-cold", bytes("x"), T);
        assertTrue(ns.removeWork(w.id()));
        assertFalse(ns.removeWork(w.id()));
        assertEquals(Optional.empty(), ns.retryWork(w, T, "late"));
        assertEquals(List.of(), ns.work("tier.to-cold", 10));
    }

    @Test
    void malformedKindsAreRefused() {
        open();
        for (String bad : new String[] {"", "Upper", "a b", "a\0b", "x".repeat(WorkItem.MAX_KIND + 1)}) {
            assertThrows(IllegalArgumentException.class, () -> ns.addWork(bad, new byte[0], T), bad);
            assertThrows(IllegalArgumentException.class, () -> ns.work(bad, 1), bad);
        }
    }

    @Test
    void jobsOfTheOldUntypedQueueMoveToTheUntypedKindKeepingTheirIdsAndNewIdsStartAboveThem() throws Exception {
        open();
        ns.close();
        ns = null;
        // A namespace written by the version before typed queues: two jobs in the "jobs" column family.
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String name : RocksDbNamespace.COLUMN_FAMILIES) descriptors.add(new ColumnFamilyDescriptor(bytes(name)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, dir.resolve("ns").toString(), descriptors, handles)) {
            ColumnFamilyHandle jobs = handles.get(1 + RocksDbNamespace.COLUMN_FAMILIES.indexOf("jobs"));
            db.put(jobs, Keys.encodeLong(7), new byte[] {1, 9});
            db.put(jobs, Keys.encodeLong(41), new byte[] {1, 8});
            handles.forEach(ColumnFamilyHandle::close);
        }
        open();
        List<WorkItem> moved = ns.work(WorkItem.UNTYPED, 10);
        assertEquals(List.of(7L, 41L), moved.stream().map(WorkItem::id).toList());
        assertArrayEquals(new byte[] {1, 8}, moved.get(1).payload());
        assertTrue(ns.addWork("tier.to-cold", new byte[0], T).id() > 41);
        reopen();
        assertEquals(moved, ns.work(WorkItem.UNTYPED, 10));
    }

    @Test
    void workItemCodecRoundTrips() {
        WorkItem w = new WorkItem(12, "tier.to-cold", new byte[] {1, 2, 3}, T, 4, "boom");
        assertEquals(w, WorkItemCodec.decode(12, WorkItemCodec.encode(w)));
    }

    @Test
    void visitWorkSeesEveryItemOfItsKindInDueOrderAndStopsWhenAsked() {
        open();
        ns.addWork("replication.a", bytes("late"), T.plusSeconds(60));
        ns.addWork("replication.b", bytes("other kind"), T);
        ns.addWork("replication.a", bytes("early"), T);
        ns.addWork("replication.ab", bytes("longer kind"), T);
        List<String> seen = new ArrayList<>();
        ns.visitWork("replication.a", w -> seen.add(new String(w.payload(), StandardCharsets.UTF_8)));
        assertEquals(List.of("early", "late"), seen);
        List<String> first = new ArrayList<>();
        ns.visitWork("replication.a", w -> {
            first.add(new String(w.payload(), StandardCharsets.UTF_8));
            return false;
        });
        assertEquals(List.of("early"), first);
    }

    @Test
    void retryWorkWithAPayloadReplacesItInTheSameWriteAndKeepsItAcrossARestart() {
        open();
        WorkItem w = ns.addWork("replication.a", bytes("v1"), T);
        WorkItem next = ns.retryWork(w, T.plusSeconds(5), "refused", bytes("v1+attempt")).orElseThrow();
        assertEquals("v1+attempt", new String(next.payload(), StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), ns.retryWork(w, T, "stale", bytes("lost")), "a stale item changes nothing");
        reopen();
        WorkItem stored = ns.work("replication.a", 1).getFirst();
        assertEquals(next, stored);
        assertEquals(1, stored.attempts());
    }
}
