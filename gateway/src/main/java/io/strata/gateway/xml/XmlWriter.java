package io.strata.gateway.xml;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds the small XML documents S3 answers with. Not for object data: bodies are bounded by a
 * listing page (1000 entries). Not thread-safe.
 */
public final class XmlWriter {
    public static final String S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

    private final StringBuilder out = new StringBuilder(512);
    private final Deque<String> open = new ArrayDeque<>();

    private XmlWriter() {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    public static XmlWriter create() {
        return new XmlWriter();
    }

    /** Opens the root element with the S3 namespace. */
    public XmlWriter root(String name) {
        out.append('<').append(name).append(" xmlns=\"").append(S3_NS).append("\">");
        open.push(name);
        return this;
    }

    /** Opens the root element without namespace (S3's Error document has none). */
    public XmlWriter bareRoot(String name) {
        return start(name);
    }

    public XmlWriter start(String name) {
        out.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    /** Opens an element with attributes, given as name, value pairs (values escaped). */
    public XmlWriter start(String name, String... attributes) {
        if (attributes.length % 2 != 0) throw new IllegalArgumentException("attributes come in name, value pairs");
        out.append('<').append(name);
        for (int i = 0; i < attributes.length; i += 2) {
            out.append(' ').append(attributes[i]).append("=\"");
            escape(attributes[i + 1]);
            out.append('"');
        }
        out.append('>');
        open.push(name);
        return this;
    }

    public XmlWriter end() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    public XmlWriter element(String name, String text) {
        out.append('<').append(name).append('>');
        escape(text == null ? "" : text);
        out.append("</").append(name).append('>');
        return this;
    }

    /** Text content inside the currently open element. */
    public XmlWriter text(String text) {
        escape(text);
        return this;
    }

    public XmlWriter element(String name, long value) {
        out.append('<').append(name).append('>').append(value).append("</").append(name).append('>');
        return this;
    }

    public XmlWriter element(String name, boolean value) {
        return element(name, Boolean.toString(value));
    }

    /** Writes the element only when text is non-null and non-empty. */
    public XmlWriter optional(String name, String text) {
        return text == null || text.isEmpty() ? this : element(name, text);
    }

    public byte[] toBytes() {
        while (!open.isEmpty()) end();
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void escape(String s) {
        // Most text needs no escaping: find the first character that does and copy up to it in one
        // append (a listing page escapes several thousand strings).
        int plain = 0;
        while (plain < s.length() && plain(s.charAt(plain))) plain++;
        out.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#13;");
                case '\n' -> out.append("&#10;");
                case '\t' -> out.append("&#9;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || c == 0xFFFE || c == 0xFFFF || Character.isSurrogate(c)) {
                        // XML 1.0 cannot carry it, not even as a character reference (&#x1; is not
                        // well-formed): a strict parser would refuse the whole document. Listings refuse
                        // such keys unless encoding-type=url (see representable); anything else that
                        // echoes one (an error's Key) shows U+FFFD in its place.
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    /**
     * A character {@link #escape} writes as it is: none of the five markup characters, no control
     * character, no surrogate, below U+FFFE.
     */
    private static boolean plain(char c) {
        return c >= 0x20 && c != '<' && c != '>' && c != '&' && c != '"' && c != '\'' && (c < 0xD800 || (c > 0xDFFF && c < 0xFFFE));
    }

    /**
     * Whether XML 1.0 can carry the text: no C0 control characters other than tab, LF and CR, no
     * U+FFFE or U+FFFF, no unpaired surrogates. S3 keys may hold any of these; clients then list
     * with {@code encoding-type=url}.
     */
    public static boolean representable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF
                    || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
