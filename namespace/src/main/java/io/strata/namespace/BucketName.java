package io.strata.namespace;

import java.util.regex.Pattern;

/**
 * A bucket name, valid by S3's general-purpose bucket naming rules: 3-63 characters of lower-case
 * letters, digits, '.' and '-', starting and ending with a letter or digit, no "..", not an IPv4
 * address, none of the reserved prefixes/suffixes (xn--, sthree-, -s3alias, --ol-s3, .mrap, --x-s3).
 * Immutable and thread-safe; the constructor throws {@link IllegalArgumentException} for an invalid name.
 */
public record BucketName(String value) implements Comparable<BucketName> {
    private static final Pattern SHAPE = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    public BucketName {
        if (value == null || !isValid(value)) {
            throw new IllegalArgumentException("invalid bucket name: " + value);
        }
    }

    public static boolean isValid(String name) {
        return name != null
                && SHAPE.matcher(name).matches()
                && !name.contains("..")
                && !name.contains(".-") && !name.contains("-.")
                && !IPV4.matcher(name).matches()
                && !name.startsWith("xn--") && !name.startsWith("sthree-") && !name.startsWith("amzn-s3-demo-")
                && !name.endsWith("-s3alias") && !name.endsWith("--ol-s3") && !name.endsWith(".mrap")
                && !name.endsWith("--x-s3") && !name.endsWith("--table-s3");
    }

    @Override
    public int compareTo(BucketName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
