package io.strata.namespace;

import java.nio.charset.StandardCharsets;

/**
 * An object key: any UTF-8 string of 1 to 1024 bytes. Keys are names in the namespace only; they
 * never become file paths, so nothing in a key can reach the file system. Immutable and thread-safe;
 * the constructor throws {@link IllegalArgumentException} for an empty, too long or malformed key.
 */
public record ObjectKey(String value) {
    public static final int MAX_BYTES = 1024;

    public ObjectKey {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException("object key is empty");
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) throw new IllegalArgumentException("object key is " + bytes + " bytes, limit " + MAX_BYTES);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1)))) {
                if (!(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1)))) {
                    throw new IllegalArgumentException("object key is not valid UTF-16/UTF-8");
                }
            }
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
