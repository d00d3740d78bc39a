package io.strata.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network in CIDR notation ("192.0.2.0/24", "2001:db8::/32"; no suffix = one address). Immutable. */
record Cidr(byte[] network, int prefix) {
    /** @throws IllegalArgumentException if {@code text} is not an IP literal with an optional valid prefix */
    static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        byte[] address = address(slash < 0 ? s : s.substring(0, slash));
        if (address == null) throw new IllegalArgumentException("not an IP address: " + text);
        int prefix = address.length * 8;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("bad prefix length: " + text);
            }
            prefix = Integer.parseInt(p);
            if (prefix > address.length * 8) throw new IllegalArgumentException("bad prefix length: " + text);
        }
        return new Cidr(address, prefix);
    }

    /** The address bytes of an IP literal, or null. Never resolves names: only literal characters get to InetAddress. */
    static byte[] address(String text) {
        if (text.isEmpty() || text.length() > 45) return null;
        boolean v6 = text.indexOf(':') >= 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || (v6 && (c == ':' || Character.digit(c, 16) >= 0));
            if (!ok) return null;
        }
        if (!v6) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) return null;
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) return null;
                int n = Integer.parseInt(parts[i]);
                if (n > 255) return null;
                b[i] = (byte) n;
            }
            return b;
        }
        try {
            byte[] b = InetAddress.getByName(text).getAddress();
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** True if {@code ip} (a literal) lies in this network; an IPv4-mapped IPv6 address counts as IPv4. */
    boolean contains(String ip) {
        byte[] a = address(ip);
        if (a == null) return false;
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) a = java.util.Arrays.copyOfRange(a, 12, 16);
        if (a.length != network.length) return false;
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) return false;
        }
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) return false;
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
