package io.strata.auth;

import io.strata.auth.AuthException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A streaming reader of {@code multipart/form-data} (RFC 7578) for S3 POST uploads: parts are read in
 * order through one fixed buffer, so memory is bounded by the buffer and the header cap, never by the
 * size of a part. Single-threaded; does not close the underlying stream. Framing errors surface as
 * {@link AuthException} {@code MALFORMED_POST}, from {@link #next()} or from a part's {@code read}.
 */
public final class MultipartFormReader {
    /** Largest header block of one part. */
    static final int MAX_PART_HEADERS = 8 * 1024;
    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] delimiter;  // CRLF "--" boundary
    private final byte[] buf;
    private int pos;
    private int end;
    private long base;               // stream offset of buf[0], counting the virtual leading CRLF
    private boolean eof;
    private PartStream current;
    private boolean finished;

    /** One part: its field name, file name if it is a file, Content-Type, and its bytes. */
    public record Part(String name, Optional<String> filename, Optional<String> contentType, InputStream body) {
    }

    /**
     * @param boundary the boundary parameter of the request's Content-Type (see {@link #boundary})
     */
    public MultipartFormReader(InputStream in, String boundary) {
        this(in, boundary, BUFFER);
    }

    MultipartFormReader(InputStream in, String boundary, int bufferSize) {
        this.in = Objects.requireNonNull(in, "in");
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[Math.max(bufferSize, MAX_PART_HEADERS + delimiter.length + 8)];
        // The body starts with "--boundary" and no CRLF: pretend it had one, so every delimiter looks alike.
        buf[0] = '\r';
        buf[1] = '\n';
        end = 2;
        base = -2;
    }

    /**
     * The boundary of a {@code multipart/form-data} Content-Type.
     *
     * @throws AuthException MALFORMED_POST if the type is another or the boundary is missing or invalid
     */
    public static String boundary(String contentType) {
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase("multipart/form-data")) {
            throw malformed("POST requires Content-Type multipart/form-data");
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("boundary")) {
                String b = p.substring(eq + 1).strip();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length() - 1);
                if (b.isEmpty() || b.length() > 70) throw malformed("the multipart boundary must have 1 to 70 characters");
                return b;
            }
        }
        throw malformed("multipart/form-data without a boundary");
    }

    /** Bytes of the request body consumed so far: the offset where the current part's unread bytes start. */
    public long position() {
        return base + pos;
    }

    /** The length of the closing delimiter as clients write it: CRLF "--" boundary "--" CRLF. */
    public int closingLength() {
        return delimiter.length + 4;
    }

    /**
     * Skips what is left of the current part and reads the next part's headers.
     *
     * @return empty after the closing delimiter
     */
    public Optional<Part> next() throws IOException {
        if (finished) return Optional.empty();
        if (current != null) {
            current.skipRest();
        } else {
            // Preamble before the first delimiter is ignored (RFC 2046).
            while (indexOfDelimiter() < 0) {
                pos = Math.max(pos, end - delimiter.length + 1);
                if (!fill()) throw malformed("the body has no multipart boundary");
            }
            pos = indexOfDelimiter();
        }
        pos += delimiter.length;
        require(2);
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            finished = true;
            current = null;
            return Optional.empty();
        }
        // Transport padding (spaces, tabs) may follow the boundary before CRLF.
        while (true) {
            require(1);
            if (buf[pos] != ' ' && buf[pos] != '\t') break;
            pos++;
        }
        require(2);
        if (buf[pos] != '\r' || buf[pos + 1] != '\n') throw malformed("the multipart boundary is not followed by CRLF");
        pos += 2;
        Map<String, String> headers = readHeaders();
        String disposition = headers.get("content-disposition");
        if (disposition == null) throw malformed("a part lacks Content-Disposition");
        Map<String, String> params = dispositionParams(disposition);
        String name = params.get("name");
        if (name == null) throw malformed("a part's Content-Disposition lacks a name");
        current = new PartStream();
        return Optional.of(new Part(name, Optional.ofNullable(params.get("filename")),
                Optional.ofNullable(headers.get("content-type")), current));
    }

    /**
     * The bytes of {@code part}, which must be exactly {@code length} long and be followed directly by
     * the closing delimiter (S3: the file is the last field). Both are checked before the read that
     * returns the last byte completes, so a consumer that stops after {@code length} bytes (the erasure
     * store) never commits a file whose framing was wrong; a mismatch throws MALFORMED_POST from
     * {@code read}.
     */
    public InputStream exactBody(Part part, long length) {
        InputStream body = part.body();
        return new InputStream() {
            private long remaining = length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (remaining == 0) return -1;
                if (len == 0) return 0;
                int n = body.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw malformed("the file is shorter than the body's length implies; it must be the last field");
                remaining -= n;
                if (remaining == 0 && (body.read() >= 0 || !closingDelimiterFollows())) {
                    throw malformed("the file must be the last field, followed by the closing boundary");
                }
                return n;
            }
        };
    }

    /**
     * True once the current part has been read to its end and the closing delimiter follows it
     * directly (the part is the last one). Reads at most a few bytes ahead.
     */
    public boolean closingDelimiterFollows() throws IOException {
        int need = delimiter.length + 2;
        while (end - pos < need && fill()) {
            // read until the delimiter and "--" could be in the buffer
        }
        if (end - pos < need) return false;
        for (int j = 0; j < delimiter.length; j++) {
            if (buf[pos + j] != delimiter[j]) return false;
        }
        return buf[pos + delimiter.length] == '-' && buf[pos + delimiter.length + 1] == '-';
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            int eol = indexOf((byte) '\r', pos);
            while (eol < 0 || eol + 1 >= end) {
                if (end - pos > MAX_PART_HEADERS) throw malformed("a part's headers exceed " + MAX_PART_HEADERS + " bytes");
                if (!fill()) throw malformed("the body ends inside a part's headers");
                eol = indexOf((byte) '\r', pos);
            }
            if (buf[eol + 1] != '\n') throw malformed("a part header line does not end with CRLF");
            total += eol + 2 - pos;
            if (total > MAX_PART_HEADERS) throw malformed("a part's headers exceed " + MAX_PART_HEADERS + " bytes");
            String line = new String(buf, pos, eol - pos, StandardCharsets.UTF_8);
            pos = eol + 2;
            if (line.isEmpty()) return headers;
            int colon = line.indexOf(':');
            if (colon <= 0) throw malformed("a part header line has no name");
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
    }

    /** form-data; name="x"; filename="y": quoted values may hold ';' and backslash escapes. */
    static Map<String, String> dispositionParams(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = value.indexOf(';');
        if (i < 0 || !value.substring(0, i).strip().equalsIgnoreCase("form-data")) {
            throw malformed("a part's Content-Disposition is not form-data");
        }
        i++;
        while (i < value.length()) {
            while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == ';' || value.charAt(i) == '\t')) i++;
            int eq = value.indexOf('=', i);
            if (eq < 0) break;
            String key = value.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < value.length() && value.charAt(i) == '"') {
                i++;
                while (i < value.length() && value.charAt(i) != '"') {
                    char c = value.charAt(i++);
                    if (c == '\\' && i < value.length()) c = value.charAt(i++);
                    v.append(c);
                }
                i++; // closing quote
            } else {
                while (i < value.length() && value.charAt(i) != ';') v.append(value.charAt(i++));
            }
            out.putIfAbsent(key, v.toString().strip());
        }
        return out;
    }

    /** Makes at least {@code n} bytes available at {@code pos}. */
    private void require(int n) throws IOException {
        while (end - pos < n) {
            if (!fill()) throw malformed("the body ends inside the multipart framing");
        }
    }

    /** Reads more bytes after compacting; false at end of stream. */
    private boolean fill() throws IOException {
        if (eof) return false;
        compact(pos);
        if (end == buf.length) throw malformed("multipart framing does not fit the buffer");
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
            return false;
        }
        end += n;
        return true;
    }

    /** Moves bytes from {@code from} to the start of the buffer; {@code pos} moves with them. */
    private void compact(int from) {
        if (from == 0) return;
        System.arraycopy(buf, from, buf, 0, end - from);
        end -= from;
        pos -= from;
        base += from;
    }

    private int indexOf(byte b, int from) {
        for (int i = from; i < end; i++) {
            if (buf[i] == b) return i;
        }
        return -1;
    }

    /** Index of a complete delimiter at or after {@code pos}, or -1. */
    private int indexOfDelimiter() {
        byte first = delimiter[0];
        outer:
        for (int i = pos; i <= end - delimiter.length; i++) {
            if (buf[i] != first) continue;
            for (int j = 1; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static AuthException malformed(String message) {
        return new AuthException(Reason.MALFORMED_POST, "The body of your POST request is not well-formed "
                + "multipart/form-data: " + message + ".");
    }

    /** The bytes of the current part, up to the next delimiter. */
    private final class PartStream extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (current != this || done) return -1;
            if (len == 0) return 0;
            while (true) {
                int at = indexOfDelimiter();
                int limit = at >= 0 ? at : Math.max(pos, end - delimiter.length + 1);
                if (limit > pos) {
                    int n = Math.min(len, limit - pos);
                    System.arraycopy(buf, pos, b, off, n);
                    pos += n;
                    return n;
                }
                if (at == pos) {
                    done = true;
                    return -1;
                }
                if (!fill()) throw malformed("the body ends before the closing boundary");
            }
        }

        void skipRest() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // discard
            }
        }
    }
}
