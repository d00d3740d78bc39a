package io.strata.namespace;

/**
 * A stored record that cannot be decoded: an unknown format version, truncated or trailing bytes.
 * Thrown by the codecs; the store turns it into {@link NamespaceException.Reason#UNAVAILABLE}.
 */
final class RecordFormatException extends RuntimeException {
    RecordFormatException(String message) {
        super(message);
    }

    RecordFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
