package io.strata.gateway.s3;

import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte ranges as S3 reads them: the Range header of a GET, x-amz-copy-source-range of UploadPartCopy,
 * and the byte span of a part ({@code partNumber}). Stateless.
 */
public final class Ranges {
    private static final Pattern COPY_RANGE = Pattern.compile("bytes=(\\d{1,100})-(\\d{1,100})");

    private Ranges() {
    }

    /**
     * Parses a single byte range as S3 does. Empty: ignore the header and send the whole object.
     *
     * @return inclusive {first, last}
     * @throws S3Exception InvalidRange when the range cannot be satisfied
     */
    public static Optional<long[]> parseRange(String header, long size) {
        String h = header.trim();
        if (!h.startsWith("bytes=")) return Optional.empty();
        String spec = h.substring(6).trim();
        if (spec.contains(",")) return Optional.empty();
        int dash = spec.indexOf('-');
        if (dash < 0) return Optional.empty();
        long a = offset(spec.substring(0, dash).trim());
        long b = offset(spec.substring(dash + 1).trim());
        // Only a syntactically invalid header is ignored (AWS then sends the whole object, 200).
        if (a == NOT_DIGITS || b == NOT_DIGITS || (a == NO_DIGITS && b == NO_DIGITS)) return Optional.empty();
        long first;
        long last;
        if (a == NO_DIGITS) {
            if (b <= 0 || size == 0) throw invalidRange(size);
            first = Math.max(0, size - b);   // a suffix longer than the object is the whole object
            last = size - 1;
        } else {
            last = b == NO_DIGITS ? Long.MAX_VALUE : b;
            if (last < a) return Optional.empty();
            // bytes=99999999999999999999- is valid syntax whose first byte is past any object's end:
            // 416, as AWS answers, not the whole object.
            if (a >= size) throw invalidRange(size);
            first = a;
            last = Math.min(last, size - 1);
        }
        return Optional.of(new long[]{first, last});
    }

    /** {@link #offset}: the text was empty. */
    static final long NO_DIGITS = -1;
    /** {@link #offset}: the text had something other than ASCII digits. */
    static final long NOT_DIGITS = -2;

    /**
     * A byte offset written as ASCII digits, saturating at Long.MAX_VALUE: a number too large for a
     * long is still a well-formed offset (past the end of every object), never a parse failure that
     * would make a range look malformed. Signs and other characters are not digits (Long.parseLong
     * would take "+5"). Reads each character once, whatever the length.
     */
    public static long offset(String text) {
        if (text.isEmpty()) return NO_DIGITS;
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return NOT_DIGITS;
            int d = c - '0';
            n = n > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : n * 10 + d;
        }
        return n;
    }

    /**
     * Parses x-amz-copy-source-range, which unlike Range must be exactly {@code bytes=first-last}
     * inside the source: a malformed value is InvalidArgument (400), one past the end InvalidRange (416).
     *
     * @return inclusive {first, last}
     */
    public static long[] copyRange(String value, long size) {
        Matcher m = COPY_RANGE.matcher(value.trim());
        long first = -1;
        long last = -1;
        if (m.matches()) {
            // Offsets too large for a long saturate: well-formed, and past the source's end (416).
            first = offset(m.group(1));
            last = offset(m.group(2));
        }
        if (first < 0 || last < first) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The x-amz-copy-source-range value must be of the form "
                    + "bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
                    .with("ArgumentName", "x-amz-copy-source-range").with("ArgumentValue", value);
        }
        if (last >= size) {
            throw new S3Exception(S3Error.INVALID_RANGE, "The requested range is not satisfiable")
                    .with("RangeRequested", value).with("ActualObjectSize", Long.toString(size));
        }
        return new long[]{first, last};
    }

    /**
     * {offset, length} of part {@code n}: a multipart object's parts are its segments in order (an
     * empty last part has none); a single-part object is its own part 1.
     *
     * @throws S3Exception InvalidPartNumber (416) when the object has no such part
     */
    public static long[] partRange(ObjectVersion v, int n) {
        int parts = v.partCount() == 0 ? 1 : v.partCount();
        if (n > parts) {
            throw new S3Exception(S3Error.INVALID_PART_NUMBER).with("PartNumberRequested", Integer.toString(n))
                    .with("ActualPartCount", Integer.toString(parts));
        }
        if (v.partCount() == 0) return new long[]{0, v.size()};
        List<io.strata.namespace.Segment> segments = v.segments();
        long offset = 0;
        for (int i = 0; i < n - 1 && i < segments.size(); i++) offset += segments.get(i).size();
        long length = n - 1 < segments.size() ? segments.get(n - 1).size() : 0;
        return new long[]{offset, length};
    }

    private static S3Exception invalidRange(long size) {
        return new S3Exception(S3Error.INVALID_RANGE).with("RangeRequested", "").with("ActualObjectSize", Long.toString(size));
    }
}
