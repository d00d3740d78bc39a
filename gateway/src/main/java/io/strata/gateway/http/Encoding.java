package io.strata.gateway.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Percent-encoding and date formats as S3 uses them. */
public final class Encoding {
    static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.US).withZone(ZoneOffset.UTC);

    private Encoding() {
    }

    /**
     * Decodes %XX escapes as UTF-8. In paths '+' is literal; in query strings it means space.
     *
     * @throws IllegalArgumentException on a broken escape or invalid UTF-8
     */
    public static String percentDecode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new IllegalArgumentException("broken percent escape");
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw new IllegalArgumentException("broken percent escape");
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8", e);
        }
    }

    /** S3's encoding-type=url: like URL form encoding but with %20 for space, keeping unreserved characters and '/'. */
    public static String urlEncode(String s) {
        if (unreserved(s)) return s;   // most keys: a listing encodes up to 1,000 of them per page
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /**
     * {@code EEE, dd MMM yyyy HH:mm:ss GMT} (RFC 7231's IMF-fixdate), as Last-Modified is sent on
     * every GET and HEAD. Written by hand for years 1 to 9999 (the formatter cost as much as the rest
     * of the response headers); other years go through the formatter as before.
     */
    public static String httpDate(Instant t) {
        java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        if (d.getYear() < 1 || d.getYear() > 9999) return HTTP_DATE.format(t.truncatedTo(ChronoUnit.SECONDS));
        char[] c = "EEE, dd MMM yyyy HH:mm:ss GMT".toCharArray();
        DAYS[d.getDayOfWeek().ordinal()].getChars(0, 3, c, 0);
        digits(c, 5, d.getDayOfMonth(), 2);
        MONTHS[d.getMonthValue() - 1].getChars(0, 3, c, 8);
        digits(c, 12, d.getYear(), 4);
        digits(c, 17, d.getHour(), 2);
        digits(c, 20, d.getMinute(), 2);
        digits(c, 23, d.getSecond(), 2);
        return new String(c);
    }

    /** Whether every character of {@code s} is one {@link #urlEncode} leaves as it is. */
    private static boolean unreserved(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss.SSSZ} in UTC, as S3 writes LastModified in XML. Written digit by
     * digit for years 1 to 9999 (a listing formats up to 1,000 dates per page, and the
     * {@link DateTimeFormatter} cost more than the rest of each entry); other years go through
     * the formatter, which prints them as before.
     */
    public static String isoDate(Instant t) {
        long seconds = t.getEpochSecond();
        java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        if (d.getYear() < 1 || d.getYear() > 9999) return ISO_MILLIS.format(t);
        char[] c = new char[24];
        digits(c, 0, d.getYear(), 4);
        c[4] = '-';
        digits(c, 5, d.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, d.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, d.getHour(), 2);
        c[13] = ':';
        digits(c, 14, d.getMinute(), 2);
        c[16] = ':';
        digits(c, 17, d.getSecond(), 2);
        c[19] = '.';
        digits(c, 20, t.getNano() / 1_000_000, 3);
        c[23] = 'Z';
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    private static final java.util.regex.Pattern ENCODED_WORD =
            java.util.regex.Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");

    /**
     * A header value as S3 answers it: unchanged when it is printable ASCII, else one RFC 2047
     * encoded word ({@code =?UTF-8?B?...?=}), as S3 makes non-ASCII user metadata "mail-safe"
     * before returning it (HTTP header values are ASCII).
     */
    public static String rfc2047Encode(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "=?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
            }
        }
        return value;
    }

    /**
     * Decodes RFC 2047 encoded words ({@code =?charset?B|Q?text?=}, charsets UTF-8, ISO-8859-1 and
     * US-ASCII) as S3 does before storing user metadata; whitespace between two encoded words goes,
     * as the RFC says. Text that is not a well-formed encoded word is kept as it is.
     */
    public static String rfc2047Decode(String value) {
        if (!value.contains("=?")) return value;
        java.util.regex.Matcher m = ENCODED_WORD.matcher(value);
        StringBuilder out = new StringBuilder();
        int last = 0;
        boolean previousWord = false;
        while (m.find()) {
            String between = value.substring(last, m.start());
            String word = decodeWord(m.group(1), m.group(2), m.group(3));
            if (word == null) {
                out.append(between).append(m.group());
                previousWord = false;
            } else {
                if (!(previousWord && between.isBlank())) out.append(between);
                out.append(word);
                previousWord = true;
            }
            last = m.end();
        }
        return out.append(value.substring(last)).toString();
    }

    private static String decodeWord(String charsetName, String encoding, String text) {
        java.nio.charset.Charset charset = switch (charsetName.toUpperCase(Locale.ROOT)) {
            case "UTF-8", "UTF8" -> StandardCharsets.UTF_8;
            case "ISO-8859-1", "LATIN1" -> StandardCharsets.ISO_8859_1;
            case "US-ASCII" -> StandardCharsets.US_ASCII;
            default -> null;
        };
        if (charset == null) return null;
        try {
            byte[] bytes;
            if (encoding.equalsIgnoreCase("B")) {
                bytes = java.util.Base64.getDecoder().decode(text);
            } else {
                ByteArrayOutputStream q = new ByteArrayOutputStream();
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == '_') {
                        q.write(' ');
                    } else if (c == '=' && i + 2 < text.length()) {
                        q.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                        i += 2;
                    } else {
                        q.write(c);
                    }
                }
                bytes = q.toByteArray();
            }
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }
}
