package io.strata.namespace;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Version ids and version order. Within a key every version has an <em>order</em>: a positive long,
 * strictly greater for a newer version (microseconds since the epoch of its write, bumped past the
 * key's newest so a clock step back cannot reorder a stack).
 *
 * <p><b>Sites.</b> The low {@value #SITE_BITS} bits of an order written here are the writing site's
 * number ({@code site.number}, 0..1023): the order is a hybrid logical clock (the write's microseconds,
 * or just past the key's newest order when that is ahead, as a replica from a faster clock can make
 * it) with its low bits replaced by the site. Replicas keep their source's order (in their id), so
 * the current version of a key, the greatest order, is the greatest (clock time, site) at every site,
 * whichever replica arrives first; two sites with different numbers never make the same order. Orders
 * written before sites existed are plain microseconds and stay valid: they only need to be distinct
 * and increasing within a key. An assigned id is 32 lower-case hex
 * digits: the order with all bits flipped (8 bytes, so a newer version's id sorts first), then 8
 * random bytes (so an id is unique even when a permanently deleted version's order is reused).
 * The {@code null} version's order lives in the {@code null-versions} index instead. Static helpers.
 */
final class VersionIds {
    static final int LENGTH = 32;
    /** Low bits of an order that hold the writing site's number. */
    static final int SITE_BITS = 10;
    /** The greatest site number, {@code 2^SITE_BITS - 1}. */
    static final int MAX_SITE = (1 << SITE_BITS) - 1;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private VersionIds() {
    }

    /** The order a version written at {@code t} gets when the key's newest version has {@code newest} (0: none). */
    static long nextOrder(Instant t, long newest) {
        long micros = Math.max(1, Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000));
        return Math.max(micros, newest + 1);
    }

    /**
     * The order a version written at {@code t} by site {@code site} gets when the key's newest version
     * has {@code newest} (0: none): the smallest order with the site in its low bits that is at least
     * {@code t}'s microseconds rounded down to the site's slot and greater than {@code newest}.
     */
    static long nextOrder(Instant t, long newest, int site) {
        if (site < 0 || site > MAX_SITE) throw new IllegalArgumentException("site number out of 0.." + MAX_SITE + ": " + site);
        long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
        long order = (micros & ~(long) MAX_SITE) | site;
        // Past the newest in whole slots, so the site bits stay.
        if (order <= newest) order = newest + 1 + Math.floorMod(site - (newest + 1), 1L << SITE_BITS);
        return Math.max(order, site == 0 ? 1L << SITE_BITS : site);
    }

    /** The site number in an order's low bits (meaningful for orders written with a site). */
    static int site(long order) {
        return (int) (order & MAX_SITE);
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
