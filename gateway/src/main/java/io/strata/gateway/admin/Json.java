package io.strata.gateway.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API's one JSON codec: a minimal reader and writer (objects, arrays, strings, numbers,
 * booleans, null) used by the server on request bodies and answers and by the {@code strata} commands
 * on answers. Stateless static methods; an instance parses one text and is not thread-safe.
 */
public final class Json {
    private final String s;
    private int i;

    /**
     * Deepest nesting read. The server parses admin request bodies with this class, and without
     * a bound a body of 64 KiB of '[' recursed until the stack overflowed (an Error, not a 400).
     */
    static final int MAX_DEPTH = 32;
    /** Longest number literal: settings are counts, sizes and durations. */
    static final int MAX_NUMBER = 64;

    private int work;

    Json(String s) {
        this.s = s;
    }

    /**
     * One JSON value filling the whole text.
     *
     * @throws IllegalArgumentException naming what is wrong and where, for text that is not JSON
     *                                  or breaks a limit
     */
    public static Object parse(String text) {
        Json m = new Json(text);
        try {
            Object v = m.value();
            m.skip();
            if (m.i < text.length()) throw new IllegalArgumentException("unexpected text after the JSON value at " + m.i);
            return v;
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("unexpected end of JSON");
        }
    }

    /** Characters examined and values created by the last parse: its cost, bounded in tests. */
    int work() {
        return work;
    }

    Object value() {
        return value(0);
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("JSON nested deeper than " + MAX_DEPTH + " at " + i);
        work++;
        skip();
        if (i >= s.length()) throw new IllegalArgumentException("unexpected end of JSON");
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                Map<String, Object> map = new LinkedHashMap<>();
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return map;
                }
                while (true) {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    map.put(key, value(depth + 1));
                    skip();
                    if (s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    expect('}');
                    return map;
                }
            }
            case '[' -> {
                i++;
                List<Object> list = new ArrayList<>();
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return list;
                }
                while (true) {
                    list.add(value(depth + 1));
                    skip();
                    if (s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    expect(']');
                    return list;
                }
            }
            case '"' -> {
                return string();
            }
            default -> {
                int start = i;
                while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) i++;
                if (i - start > MAX_NUMBER) throw new IllegalArgumentException("JSON value longer than " + MAX_NUMBER + " characters at " + start);
                work += i - start;
                String word = s.substring(start, i);
                return switch (word) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    case "null" -> null;
                    default -> number(word, start);
                };
            }
        }
    }

    /** The message names the offset, never the text: a settings body may hold a secret key. */
    private static Object number(String word, int at) {
        try {
            return word.contains(".") || word.contains("e") ? (Object) Double.parseDouble(word) : (Object) Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad JSON value at " + at);
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (s.charAt(i) != '"') {
            work++;
            char c = s.charAt(i++);
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw new IllegalArgumentException("bad \\u escape at " + i);
                        }
                        i += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
        i++;
        return b.toString();
    }

    private void expect(char c) {
        if (s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
        i++;
    }

    private void skip() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            work++;
            i++;
        }
    }

    /** {@code v} (maps, lists, strings, numbers, booleans, null) as JSON text and a line feed. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.append('\n').toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("null");
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    b.append(quote(e.getKey())).append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) b.append(',');
                    write(b, l.get(k));
                }
                b.append(']');
            }
            case String str -> b.append(quote(str));
            default -> b.append(v);
        }
    }

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
