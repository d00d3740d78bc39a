package io.strata.auth;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser (RFC 8259) for the documents this module reads: bucket policies and
 * POST policies. No JSON library is in the build and these documents are small (S3 caps a bucket
 * policy at 20 KB), so a parser of a few hundred lines with hard limits is cheaper to own than a
 * dependency: the caller bounds the size, this class bounds the nesting depth, and duplicate
 * object keys are refused (IAM refuses them too, and silently keeping one would be a trap).
 *
 * <p>Values map to {@code Map<String, Object>} (insertion order kept), {@code List<Object>},
 * {@code String}, {@link BigDecimal}, {@code Boolean} and {@link #NULL}. Stateless and thread-safe.
 */
final class Json {
    /** The JSON literal {@code null}: a marker, so "absent" and "null" stay distinct in maps. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    static final int MAX_DEPTH = 32;
    /** Longest number literal: no document this module reads needs more digits than a long has. */
    static final int MAX_NUMBER = 64;

    /** The text is not JSON, or breaks a limit. The message says where. */
    static final class JsonException extends IllegalArgumentException {
        JsonException(String message) {
            super(message);
        }
    }

    private final String s;
    private int pos;
    /**
     * Characters examined plus values created: the parser's cost, which the tests bound by a
     * constant times the input length (a parse that expands a short input, as a billion-digit
     * number once did, shows up here).
     */
    private long work;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value filling the whole text (whitespace around it allowed). */
    static Object parse(String text) {
        Measured m = parseMeasured(text);
        if (m.error() != null) throw m.error();
        return m.value();
    }

    /** A parse's outcome, a value or the refusal, and the work it took either way. */
    record Measured(Object value, JsonException error, long work) {
    }

    /** {@link #parse} that also reports its work, refused or not, for the tests that bound it. */
    static Measured parseMeasured(String text) {
        Json p = new Json(text);
        try {
            p.ws();
            Object v = p.value(0);
            p.ws();
            if (p.pos != text.length()) throw p.error("unexpected text after the JSON value");
            return new Measured(v, null, p.work);
        } catch (JsonException e) {
            return new Measured(null, e, p.work);
        }
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (pos >= s.length()) throw error("unexpected end of input");
        work++;
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++; // {
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(m);
        }
        while (true) {
            ws();
            if (peek() != '"') throw error("expected a string key");
            String key = string();
            ws();
            expect(':');
            ws();
            Object v = value(depth + 1);
            if (m.put(key, v) != null) throw error("duplicate key \"" + SigV4Verifier.truncate(key) + "\"");
            ws();
            char c = next();
            if (c == '}') return Collections.unmodifiableMap(m);
            if (c != ',') throw error("expected ',' or '}'");
        }
    }

    private List<Object> array(int depth) {
        pos++; // [
        List<Object> list = new ArrayList<>();
        ws();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            ws();
            list.add(value(depth + 1));
            ws();
            char c = next();
            if (c == ']') return Collections.unmodifiableList(list);
            if (c != ',') throw error("expected ',' or ']'");
        }
    }

    private String string() {
        pos++; // "
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            work++;
            char c = s.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("short \\u escape");
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        work++;
                        int d = Character.digit(s.charAt(pos++), 16);
                        if (d < 0) throw error("bad \\u escape");
                        cp = cp * 16 + d;
                    }
                    sb.append((char) cp);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private BigDecimal number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("bad number");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) throw error("bad number");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("bad number");
            while (isDigit(peek())) pos++;
        }
        if (pos - start > MAX_NUMBER) throw error("number longer than " + MAX_NUMBER + " characters");
        // BigDecimal keeps 1e999999999 as one digit and a scale, so building it is cheap; what a
        // caller must never do with such a value is expand it (toPlainString, toBigInteger).
        work += pos - start;
        try {
            return new BigDecimal(s.substring(start, pos));
        } catch (NumberFormatException e) {
            // An exponent beyond an int's range (1e99999999999): well-formed JSON, but no number
            // any document here can mean. Refused as JSON, so callers see only JsonException.
            throw error("number out of range");
        }
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, pos)) throw error("unexpected token");
        pos += word.length();
        work += word.length();
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private char peek() {
        work++;
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= s.length()) throw error("unexpected end of input");
        work++;
        return s.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) throw error("expected '" + c + "'");
    }

    private void ws() {
        while (pos < s.length()) {
            work++;
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private JsonException error(String what) {
        return new JsonException(what + " at offset " + pos);
    }
}
