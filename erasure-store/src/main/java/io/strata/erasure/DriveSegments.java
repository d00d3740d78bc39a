package io.strata.erasure;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment files of one drive ({@code <drive>/segments/<id>.seg}): small shards appended as
 * records to a few preallocated files instead of one file each, made durable by one group-commit
 * thread, deleted by tombstone records, and space accounted live and dead per segment.
 *
 * <p>Layout of a segment: a {@value #HEADER_BYTES}-byte header ({@code u32 magic "STSG", u16
 * version=1, i64 segmentId, i64 createdMillis, i64 capacity, u32 crc32c}, zero-padded), then
 * {@link SegmentRecord}s back to back. The file is created at its full capacity (created, sized,
 * fsynced, directory fsynced: once per segment, never per record); the unwritten tail reads as
 * zeros, which is not a valid record, so a scan stops there, and equally at a torn or garbage
 * record.
 *
 * <p>Appends to one segment are serialized by its slot lock and each writes its whole record
 * before the next starts, so records lie in order and every record before an acknowledged one
 * was complete when the fsync covering it ran: after a crash the valid prefix of a segment holds
 * every acknowledged record. Segments found at open are sealed (only new segments take appends),
 * so nothing is ever written after a torn tail. Up to {@value #ACTIVE} segments take appends at
 * once: a writer takes the first free one, so concurrent writers rarely wait on one lock, yet
 * appends gather in few segments, each of which costs a group commit one fsync.
 *
 * <p>Group commit: a writer that appended enqueues its segment and waits; the syncer thread runs
 * one {@code fdatasync} per dirty segment, covering every append that completed before it started,
 * then releases those waiters. Concurrent writes share fsyncs.
 *
 * <p>Thread-safe. The store owns it and closes it; after close, appends and waits fail with IO.
 */
final class DriveSegments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriveSegments.class);
    static final String DIR = "segments";
    static final String SUFFIX = ".seg";
    static final int MAGIC = 0x53545347; // "STSG"
    static final short VERSION = 1;
    static final int HEADER_BYTES = 64;
    /** Segments taking appends at once per drive. */
    static final int ACTIVE = 4;
    /** Capacity of a new segment (a record larger than this gets a segment of its own size). */
    static final long SEGMENT_BYTES = Long.getLong("strata.erasure.segment-bytes", 64L << 20);
    private static final HexFormat HEX = HexFormat.of();

    /** A shard record as a walk reports it. */
    record LiveRecord(ShardHeader header, SegmentRef ref, long writeTimeMillis) { }

    /** An opened shard record: the segment's shared read channel and where the record's body starts. */
    record Opened(FileChannel channel, long dataOffset, ShardHeader header) { }

    /** Segment counts and bytes, for the drive status. */
    record Stats(int segments, long liveBytes, long deadBytes) { }

    private static final class Segment {
        final long id;
        final Path path;
        final long capacity;
        final ReentrantLock channelLock = new ReentrantLock();
        final Set<Long> deadOffsets = ConcurrentHashMap.newKeySet();
        FileChannel writer;            // under the slot lock
        volatile FileChannel reader;   // shared by reads; reopened when an interrupt closed it
        /**
         * The group commit's own channel, used by the syncer thread alone. Not the writer's: an
         * appender interrupted in a write closes its channel (ClosedByInterruptException), and a
         * sync running on that channel then failed as if the drive had, which marked the drive
         * FAULTY and failed every write waiting on the segment. An fdatasync through any
         * descriptor of the file flushes all of its dirty pages, whoever wrote them.
         */
        FileChannel syncWriter;
        volatile long end;             // append position: every record below it is complete
        volatile boolean sealed;
        volatile boolean deleted;
        /**
         * The scan at open stopped at bytes that are neither a record nor the zero tail (a torn
         * or corrupt record): records behind them, live ones included, are invisible to scans,
         * so the segment is never deleted as all dead.
         */
        volatile boolean damaged;
        long live;                     // under DriveSegments.accounting
        long dead;

        Segment(long id, Path path, long capacity) {
            this.id = id;
            this.path = path;
            this.capacity = capacity;
        }
    }

    private final Drive drive;
    private final Path dir;
    private final Clock clock;
    private final RandomGenerator random;
    private final Map<Long, Segment> segments = new ConcurrentHashMap<>();
    private final Segment[] active = new Segment[ACTIVE];
    private final ReentrantLock[] slots = new ReentrantLock[ACTIVE];
    private final AtomicInteger nextSlot = new AtomicInteger();
    /** Tombstones by the segment they point into: they stay live while it exists. Under {@link #accounting}. */
    private final Map<Long, List<long[]>> tombstonesFor = new HashMap<>();
    private final ReentrantLock accounting = new ReentrantLock();
    private final Syncer syncer;
    private volatile java.util.function.LongConsumer syncHook = id -> { };
    private volatile boolean closed;

    private DriveSegments(Drive drive, Clock clock, RandomGenerator random) {
        this.drive = drive;
        this.dir = drive.root().resolve(DIR);
        this.clock = clock;
        this.random = random;
        for (int i = 0; i < ACTIVE; i++) slots[i] = new ReentrantLock();
        this.syncer = new Syncer();
    }

    /**
     * Opens the drive's segments: creates {@code segments/} if missing, scans every segment's
     * record headers (bodies are not read) to rebuild which records are live and dead, seals them
     * all, and deletes segments left with nothing live.
     */
    static DriveSegments open(Drive drive, Clock clock, RandomGenerator random) throws IOException {
        DriveSegments s = new DriveSegments(drive, clock, random);
        Files.createDirectories(s.dir);
        s.scan();
        s.syncer.start();
        return s;
    }

    private void scan() throws IOException {
        Map<Long, Map<Long, Integer>> records = new HashMap<>();
        List<long[]> tombstones = new ArrayList<>(); // {tombstone segment, its length, target segment, target offset}
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path path : files) {
                Segment segment = openExisting(path);
                if (segment == null) continue;
                Map<Long, Integer> shards = new HashMap<>();
                FileChannel channel = segment.reader;
                long offset = HEADER_BYTES;
                while (true) {
                    SegmentRecord record = SegmentRecord.read(channel, offset, segment.capacity);
                    if (record == null) break;
                    if (record.type() == SegmentRecord.TYPE_SHARD) {
                        shards.put(offset, (int) record.length());
                        segment.live += record.length();
                    } else {
                        tombstones.add(new long[] {segment.id, record.length(), record.target().segment(), record.target().offset()});
                    }
                    offset += record.length();
                }
                segment.end = offset;
                segment.sealed = true;
                if (!zeroTail(channel, offset, segment.capacity)) {
                    segment.damaged = true;
                    LOG.warn("segment {} on {}: scan stopped at offset {} before its end (a torn or corrupt record); "
                            + "kept, since records behind it cannot be seen", path.getFileName(), drive, offset);
                }
                records.put(segment.id, shards);
                segments.put(segment.id, segment);
            }
        }
        for (long[] t : tombstones) {
            Segment own = segments.get(t[0]);
            Segment target = segments.get(t[2]);
            Integer length = target == null ? null : records.get(target.id).get(t[3]);
            if (length != null && target.deadOffsets.add(t[3])) {
                target.live -= length;
                target.dead += length;
            }
            if (target != null) {
                own.live += t[1];
                tombstonesFor.computeIfAbsent(target.id, id -> new ArrayList<>()).add(new long[] {own.id, t[1]});
            } else {
                own.dead += t[1];
            }
        }
        for (Segment segment : List.copyOf(segments.values())) maybeDelete(segment);
    }

    /** Whether the bytes where a scan stopped are the unwritten (zero) tail of the segment. */
    private static boolean zeroTail(FileChannel channel, long offset, long capacity) throws IOException {
        ByteBuffer probe = ByteBuffer.allocate((int) Math.min(SegmentRecord.FIXED, Math.max(0, capacity - offset)));
        while (probe.hasRemaining() && channel.read(probe, offset + probe.position()) >= 0) {
            // positional reads until full or end of file
        }
        for (int i = 0; i < probe.position(); i++) if (probe.get(i) != 0) return false;
        return true;
    }

    /** A segment file found at open, with its read channel, or null (logged) when its header is not valid. */
    private Segment openExisting(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
                // positional reads until full or end of file
            }
            long id = header.getLong(6);
            long capacity = channel.size();
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 0, 30);
            String name = path.getFileName().toString();
            if (header.position() < HEADER_BYTES || header.getInt(0) != MAGIC || header.getShort(4) != VERSION
                    || header.getInt(30) != (int) crc.getValue() || id == 0 || !name.equals(fileName(id))) {
                LOG.warn("segment file {} on {} has no valid header; left alone", name, drive);
                channel.close();
                return null;
            }
            Segment segment = new Segment(id, path, capacity);
            segment.reader = channel;
            return segment;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String fileName(long id) {
        return HEX.toHexDigits(id) + SUFFIX;
    }

    /** Creates, sizes and syncs a new segment: the only fsyncs of its metadata it ever needs. */
    private Segment create(long minCapacity) throws IOException {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0 || segments.containsKey(id));
        long capacity = Math.max(SEGMENT_BYTES, HEADER_BYTES + minCapacity);
        Path path = dir.resolve(fileName(id));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            header.putInt(MAGIC).putShort(VERSION).putLong(id).putLong(clock.millis()).putLong(capacity);
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 0, header.position());
            header.putInt((int) crc.getValue()).clear();
            while (header.hasRemaining()) channel.write(header, header.position());
            // Sized once up front: later appends never change the file's size, so their fdatasync
            // needs no inode update (the file system may still allocate the blocks lazily).
            channel.write(ByteBuffer.allocate(1), capacity - 1);
            channel.force(true);
            drive.countFsync();
            Drive.fsyncDirectory(dir);
            drive.countFsync();
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
        Segment segment = new Segment(id, path, capacity);
        segment.writer = channel;
        segment.reader = FileChannel.open(path, StandardOpenOption.READ);
        segment.end = HEADER_BYTES;
        segments.put(id, segment);
        return segment;
    }

    /**
     * Appends a shard record ({@code header}, then the {@code body} buffers, {@code bodyLength}
     * bytes in all) and returns once an fsync covers it.
     *
     * @throws IOException the drive's error; nothing that refers to the record may be committed
     */
    SegmentRef appendShard(byte[] header, ByteBuffer[] body, int bodyLength) throws IOException {
        return append(header, body, header.length + bodyLength, null, true);
    }

    /**
     * Deletes the shard record at {@code ref} if it is live and holds {@code shard} of
     * {@code blob}: appends a tombstone, waits until it is durable, then counts the record dead
     * (a segment left with nothing live is deleted). Idempotent: an absent or dead record is
     * success. For a record that a blob still in use may otherwise read (heal replacing a corrupt
     * record by a shard file): a crash must not bring it back.
     *
     * @return whether a live record was deleted
     */
    boolean delete(BlobId blob, int shard, SegmentRef ref) throws IOException {
        return delete(blob, shard, ref, true);
    }

    /**
     * Like {@link #delete}, for a record that nothing refers to any more (its blob is out of the
     * namespace, or was never committed to it): the tombstone is appended but not waited for, and
     * becomes durable with the next group commit of its segment or the kernel's write-back. A
     * crash may lose it; the record is then live again at the next open, an orphan that no
     * version names, which orphan collection deletes again. Whether an object is visible is the
     * namespace's decision, never the segment's, so a lost tombstone brings back space, not data.
     */
    boolean free(BlobId blob, int shard, SegmentRef ref) throws IOException {
        return delete(blob, shard, ref, false);
    }

    private boolean delete(BlobId blob, int shard, SegmentRef ref, boolean durable) throws IOException {
        Segment target = segments.get(ref.segment());
        if (target == null || target.deleted || target.deadOffsets.contains(ref.offset())) return false;
        SegmentRecord record = readRecord(target, ref.offset(), readLimit(target));
        if (record == null || record.type() != SegmentRecord.TYPE_SHARD || record.length() != ref.length()
                || !record.shard().blobId().equals(blob) || record.shard().shardIndex() != shard) {
            return false;
        }
        byte[] tombstone = SegmentRecord.tombstone(blob, shard, ref, clock.millis());
        append(tombstone, new ByteBuffer[0], tombstone.length, ref, durable);
        markDead(target, ref.offset(), ref.length());
        return true;
    }

    /** Whether the record at {@code ref} is live here (not deleted, its segment present). */
    boolean isLive(SegmentRef ref) {
        Segment segment = segments.get(ref.segment());
        return segment != null && !segment.deleted && !segment.deadOffsets.contains(ref.offset());
    }

    /**
     * The live record at {@code ref} when it holds {@code shard} of the blob at {@code location}:
     * the channel to read it with (shared: the caller must not close it) and where its blocks
     * start. Null when the segment or record is gone, deleted or describes something else.
     */
    Opened open(SegmentRef ref, ErasureBlobLocation location, int shard) throws IOException {
        Segment segment = segments.get(ref.segment());
        if (segment == null || segment.deleted || segment.deadOffsets.contains(ref.offset())) return null;
        SegmentRecord record = readRecord(segment, ref.offset(), readLimit(segment));
        if (record == null || record.type() != SegmentRecord.TYPE_SHARD || record.length() != ref.length()
                || !record.shard().describes(location, shard)) {
            return null;
        }
        return new Opened(reader(segment), ref.offset() + record.headerLength(), record.shard());
    }

    /**
     * Calls {@code visitor} for every live shard record, reading record headers only. Records
     * appended or deleted meanwhile may or may not be reported.
     */
    void forEachLive(java.util.function.Consumer<LiveRecord> visitor) throws IOException {
        for (Segment segment : List.copyOf(segments.values())) {
            if (!segment.deleted) visitLive(segment, visitor);
        }
    }

    private void visitLive(Segment segment, java.util.function.Consumer<LiveRecord> visitor) throws IOException {
        long limit = segment.end;
        long offset = HEADER_BYTES;
        while (offset < limit) {
            SegmentRecord record;
            try {
                record = readRecord(segment, offset, limit);
            } catch (NoSuchFileException e) {
                return; // deleted meanwhile
            }
            if (record == null) break;
            if (record.type() == SegmentRecord.TYPE_SHARD && !segment.deadOffsets.contains(offset)) {
                visitor.accept(new LiveRecord(record.shard(), new SegmentRef(segment.id, offset, (int) record.length()),
                        record.writeTimeMillis()));
            }
            offset += record.length();
        }
    }

    /** Every segment here with its bytes, for compaction. */
    List<SegmentUsage> usage(int driveIndex) {
        accounting.lock();
        try {
            List<SegmentUsage> out = new ArrayList<>();
            for (Segment segment : segments.values()) {
                if (segment.deleted) continue;
                out.add(new SegmentUsage(driveIndex, drive.root(), HEX.toHexDigits(segment.id), segment.sealed,
                        segment.live, segment.dead));
            }
            return out;
        } finally {
            accounting.unlock();
        }
    }

    /** Like {@link #forEachLive}, for one segment (nothing when it is gone). */
    void forEachLiveIn(long segmentId, java.util.function.Consumer<LiveRecord> visitor) throws IOException {
        Segment segment = segments.get(segmentId);
        if (segment == null || segment.deleted) return;
        visitLive(segment, visitor);
    }

    Stats stats() {
        accounting.lock();
        try {
            long live = 0;
            long dead = 0;
            int count = 0;
            for (Segment segment : segments.values()) {
                if (segment.deleted) continue;
                count++;
                live += segment.live;
                dead += segment.dead;
            }
            return new Stats(count, live, dead);
        } finally {
            accounting.unlock();
        }
    }

    /** Appends a record; with {@code durable}, returns only once a group commit's fsync covers it. */
    private SegmentRef append(byte[] header, ByteBuffer[] body, int length, SegmentRef tombstoneTarget, boolean durable)
            throws IOException {
        if (closed) throw new IOException("segments of " + drive + " are closed");
        // The first free slot, in order: appends gather in as few segments as contention allows,
        // since every dirty segment costs the next group commit one fsync (rotating over the
        // slots made about 0.65 fsyncs per shard at 16 writers, against one per round). Only
        // when all are busy, wait for one, taken in turn.
        int slot = 0;
        while (slot < ACTIVE && !slots[slot].tryLock()) slot++;
        if (slot == ACTIVE) {
            slot = Math.floorMod(nextSlot.getAndIncrement(), ACTIVE);
            slots[slot].lock();
        }
        Segment segment;
        long offset;
        try {
            segment = active[slot];
            if (segment == null || segment.sealed || segment.end + length > segment.capacity) {
                if (segment != null) seal(segment);
                active[slot] = null;
                segment = create(length);
                active[slot] = segment;
            }
            offset = segment.end;
            try {
                FileChannel channel = writer(segment);
                long at = offset;
                ByteBuffer head = ByteBuffer.wrap(header);
                while (head.hasRemaining()) at += channel.write(head, at);
                for (ByteBuffer block : body) {
                    while (block.hasRemaining()) at += channel.write(block, at);
                }
            } catch (IOException | RuntimeException e) {
                // A partial record would hide every later one from a scan: nothing follows it.
                active[slot] = null;
                seal(segment);
                throw e;
            }
            segment.end = offset + length;
            account(segment, length, tombstoneTarget);
        } finally {
            slots[slot].unlock();
        }
        if (durable) syncer.await(segment);
        return new SegmentRef(segment.id, offset, length);
    }

    private void account(Segment segment, long length, SegmentRef tombstoneTarget) {
        accounting.lock();
        try {
            if (tombstoneTarget == null) {
                segment.live += length;
                return;
            }
            Segment target = segments.get(tombstoneTarget.segment());
            if (target != null && !target.deleted) {
                segment.live += length;
                tombstonesFor.computeIfAbsent(target.id, id -> new ArrayList<>()).add(new long[] {segment.id, length});
            } else {
                segment.dead += length;
            }
        } finally {
            accounting.unlock();
        }
    }

    /**
     * How far records of {@code segment} may be read. A damaged segment's scan stopped at its
     * tear, but the records behind it are whole and were acknowledged: a read at a recorded offset
     * still finds them (the record header's CRC and blob id say whether it is the one).
     */
    private static long readLimit(Segment segment) {
        return segment.damaged ? segment.capacity : segment.end;
    }

    private void markDead(Segment segment, long offset, long length) throws IOException {
        if (!segment.deadOffsets.add(offset)) return;
        if (offset >= segment.end) return; // behind a damaged segment's tear: the scan never counted it live
        accounting.lock();
        try {
            segment.live -= length;
            segment.dead += length;
        } finally {
            accounting.unlock();
        }
        maybeDelete(segment);
    }

    private void seal(Segment segment) throws IOException {
        segment.sealed = true;
        maybeDelete(segment);
    }

    /**
     * Deletes a sealed segment with nothing live, then counts the tombstones that pointed into it
     * dead (they have nothing left to hide), which may free their own segments in turn. The
     * directory is synced first, so a crash cannot bring the segment back without its tombstones.
     */
    private void maybeDelete(Segment segment) throws IOException {
        List<long[]> freed;
        accounting.lock();
        try {
            if (!segment.sealed || segment.deleted || segment.damaged || segment.live > 0) return;
            segment.deleted = true;
            segments.remove(segment.id);
            freed = tombstonesFor.remove(segment.id);
        } finally {
            accounting.unlock();
        }
        closeQuietly(segment);
        Files.deleteIfExists(segment.path);
        Drive.fsyncDirectory(dir);
        drive.countFsync();
        LOG.debug("segment {} on {} had nothing live and was deleted", fileName(segment.id), drive);
        if (freed == null) return;
        List<Segment> touched = new ArrayList<>();
        accounting.lock();
        try {
            for (long[] t : freed) {
                Segment own = segments.get(t[0]);
                if (own == null) continue;
                own.live -= t[1];
                own.dead += t[1];
                touched.add(own);
            }
        } finally {
            accounting.unlock();
        }
        for (Segment own : touched) maybeDelete(own);
    }

    private FileChannel writer(Segment segment) throws IOException {
        FileChannel channel = segment.writer;
        if (channel != null && channel.isOpen()) return channel;
        segment.channelLock.lock();
        try {
            if (segment.writer == null || !segment.writer.isOpen()) {
                segment.writer = FileChannel.open(segment.path, StandardOpenOption.WRITE);
            }
            return segment.writer;
        } finally {
            segment.channelLock.unlock();
        }
    }

    /** The syncer thread's channel of {@code segment}, opened on its first sync. */
    private FileChannel syncChannel(Segment segment) throws IOException {
        segment.channelLock.lock();
        try {
            if (segment.deleted) throw new NoSuchFileException(segment.path.toString());
            if (segment.syncWriter == null || !segment.syncWriter.isOpen()) {
                segment.syncWriter = FileChannel.open(segment.path, StandardOpenOption.WRITE);
            }
            return segment.syncWriter;
        } finally {
            segment.channelLock.unlock();
        }
    }

    /** Tests only: runs on the syncer thread with a segment's id, after its channel is taken and before its fsync. */
    void syncHook(java.util.function.LongConsumer hook) {
        this.syncHook = hook;
    }

    /**
     * The record header at {@code offset} (null where no valid record is), read through the shared
     * channel. Another reader, interrupted, may close that channel under us: that says nothing
     * about the drive, so the read is tried once more through a fresh one (an interrupt of our own
     * is not retried). Reads, deletes, compaction's and the inventory's walks all come here.
     */
    private SegmentRecord readRecord(Segment segment, long offset, long limit) throws IOException {
        try {
            return SegmentRecord.read(reader(segment), offset, limit);
        } catch (ClosedChannelException e) {
            if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) throw e;
            return SegmentRecord.read(reader(segment), offset, limit);
        }
    }

    /** The shared read channel; an interrupted reader closes it for everyone, so it is reopened then. */
    private FileChannel reader(Segment segment) throws IOException {
        FileChannel channel = segment.reader;
        if (channel != null && channel.isOpen()) return channel;
        segment.channelLock.lock();
        try {
            if (segment.deleted) throw new NoSuchFileException(segment.path.toString());
            if (segment.reader == null || !segment.reader.isOpen()) {
                segment.reader = FileChannel.open(segment.path, StandardOpenOption.READ);
            }
            return segment.reader;
        } finally {
            segment.channelLock.unlock();
        }
    }

    private static void closeQuietly(Segment segment) {
        segment.channelLock.lock();
        try {
            for (FileChannel channel : new FileChannel[] {segment.writer, segment.reader, segment.syncWriter}) {
                if (channel == null) continue;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the segment is deleted or the store closing: nothing to keep
                }
            }
        } finally {
            segment.channelLock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        syncer.close();
        for (Segment segment : segments.values()) closeQuietly(segment);
    }

    /**
     * The group-commit thread. Round {@code r} starts by taking every segment enqueued so far;
     * a writer enqueued while {@code started == r - 1} therefore waits for round {@code r}, which
     * began after its append had completed.
     */
    private final class Syncer implements Runnable {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition work = lock.newCondition();
        private final Condition done = lock.newCondition();
        private final Set<Segment> dirty = new LinkedHashSet<>();
        private final Map<Segment, IOException> failures = new HashMap<>();
        private long started;
        private long finished;
        private Thread thread;

        void start() {
            thread = Thread.ofPlatform().daemon().name("strata-segment-sync-" + drive.index()).start(this);
        }

        void await(Segment segment) throws IOException {
            lock.lock();
            try {
                dirty.add(segment);
                long round = started + 1;
                work.signal();
                while (finished < round) {
                    if (closed) throw new IOException("segments of " + drive + " closed before the write was synced");
                    try {
                        done.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted waiting for the fsync of a segment on " + drive);
                    }
                }
                IOException failure = failures.get(segment);
                if (failure != null) throw new IOException("fsync of segment " + fileName(segment.id) + " failed", failure);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void run() {
            while (true) {
                List<Segment> batch;
                long round;
                lock.lock();
                try {
                    while (dirty.isEmpty() && !closed) work.awaitUninterruptibly();
                    if (closed) {
                        done.signalAll();
                        return;
                    }
                    batch = List.copyOf(dirty);
                    dirty.clear();
                    round = ++started;
                } finally {
                    lock.unlock();
                }
                Map<Segment, IOException> failed = new HashMap<>();
                for (Segment segment : batch) {
                    if (segment.deleted) continue;
                    try {
                        FileChannel channel = syncChannel(segment);
                        syncHook.accept(segment.id);
                        channel.force(false);
                        drive.countFsync();
                    } catch (IOException e) {
                        // Deleted meanwhile (every record in it dead): nothing is left to make durable.
                        if (segment.deleted) continue;
                        // After a failed fsync the kernel may have dropped the dirty pages: the
                        // segment takes no more appends, and the writers waiting on it fail.
                        segment.sealed = true;
                        failed.put(segment, e);
                        LOG.error("fsync of segment {} on {} failed: {}", fileName(segment.id), drive, e.toString());
                    }
                }
                lock.lock();
                try {
                    failures.putAll(failed); // kept: a failed segment stays failed for every later waiter
                    finished = round;
                    done.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        void close() {
            lock.lock();
            try {
                work.signalAll();
                done.signalAll();
            } finally {
                lock.unlock();
            }
            if (thread != null) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
