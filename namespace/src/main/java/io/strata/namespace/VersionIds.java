package io.strata.namespace;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Version ids and version order. Within a key every version has an <em>order</em>: a positive long,
 * strictly greater for a newer version (microseconds since the epoch of its write, bumped past the
 * key's newest so a clock step back cannot reorder a stack). An assigned id is 32 lower-case hex
 * digits: the order with all bits flipped (8 bytes, so a newer version's id sorts first), then 8
 * random bytes (so an id is unique even when a permanently deleted version's order is reused).
 * The {@code null} version's order lives in the {@code null-versions} index instead. Static helpers.
 */
final class VersionIds {
    static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private VersionIds() {
    }

    /** The order a version written at {@code t} gets when the key's newest version has {@code newest} (0: none). */
    static long nextOrder(Instant t, long newest) {
        long micros = Math.max(1, Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000));
        return Math.max(micros, newest + 1);
    }

    static String assign(long order) {
        byte[] b = new byte[16];
        Keys.putLong(b, 0, ~order);
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        System.arraycopy(random, 0, b, 8, 8);
        return HEX.formatHex(b);
    }

    static boolean isAssigned(String id) {
        if (id.length() != LENGTH) return false;
        for (int i = 0; i < LENGTH; i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return order(id) > 0;
    }

    /** The order encoded in an assigned id. @throws IllegalArgumentException if {@code id} is not one */
    static long order(String id) {
        if (id.length() != LENGTH) throw new IllegalArgumentException("not a version id: " + id);
        return ~Keys.getLong(HEX.parseHex(id, 0, 16), 0);
    }
}
