package io.strata.namespace;

/**
 * Stored form of a {@link WorkItem} in the {@code work} column family (row key: the id, 8 bytes
 * big-endian). v1: version byte, kind, notBefore, attempts, lastError, payload. The
 * {@code work-due} column family indexes it as {@code kind 0x00 notBefore-millis(8) id(8)} → empty,
 * and {@code work-order} as {@code kind 0x00 id(8)} → empty.
 */
final class WorkItemCodec {
    static final int VERSION = 1;

    private WorkItemCodec() {
    }

    static byte[] encode(WorkItem w) {
        byte[] payload = w.payload();
        return new RecordWriter(48 + payload.length + w.lastError().length())
                .u8(VERSION)
                .string(w.kind())
                .instant(w.notBefore())
                .varint(w.attempts())
                .string(w.lastError())
                .bytes(payload)
                .toByteArray();
    }

    static WorkItem decode(long id, byte[] value) {
        return Codecs.decoding("work item", () -> {
            RecordReader r = new RecordReader(value).version("work item", VERSION);
            String kind = r.string();
            var notBefore = r.instant();
            long attempts = r.varint();
            if (attempts > Integer.MAX_VALUE) throw new RecordFormatException("attempts " + attempts);
            String lastError = r.string();
            byte[] payload = r.bytes();
            r.end();
            return new WorkItem(id, kind, payload, notBefore, (int) attempts, lastError);
        });
    }

    /** The {@code work-due} row of an item: its queue, then due time, then id. */
    static byte[] dueRow(WorkItem w) {
        return dueRow(w.kind(), Math.max(0, w.notBefore().toEpochMilli()), w.id());
    }

    static byte[] dueRow(String kind, long millis, long id) {
        byte[] k = Keys.utf8(kind);
        byte[] row = new byte[k.length + 17];
        System.arraycopy(k, 0, row, 0, k.length);
        row[k.length] = Keys.SEPARATOR;
        System.arraycopy(Keys.encodeLong(millis), 0, row, k.length + 1, 8);
        System.arraycopy(Keys.encodeLong(id), 0, row, k.length + 9, 8);
        return row;
    }

    /** The {@code work-order} row of an item: its queue, then id. */
    static byte[] orderRow(WorkItem w) {
        return orderRow(w.kind(), w.id());
    }

    static byte[] orderRow(String kind, long id) {
        byte[] k = Keys.utf8(kind);
        byte[] row = new byte[k.length + 9];
        System.arraycopy(k, 0, row, 0, k.length);
        row[k.length] = Keys.SEPARATOR;
        System.arraycopy(Keys.encodeLong(id), 0, row, k.length + 1, 8);
        return row;
    }

    /** The id at the end of a {@code work-order} row. */
    static long idOfOrderRow(byte[] row) {
        return idOfDueRow(row);
    }

    /** The id at the end of a {@code work-due} row. */
    static long idOfDueRow(byte[] row) {
        return Keys.decodeLong(java.util.Arrays.copyOfRange(row, row.length - 8, row.length));
    }
}
