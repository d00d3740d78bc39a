package io.strata.namespace;

import java.util.function.Supplier;

/** Helpers shared by the record codecs. */
final class Codecs {
    private Codecs() {
    }

    /**
     * Runs a decode, turning the validation failures of the records' constructors (a stored value a
     * record refuses) into {@link RecordFormatException} so callers see one failure type.
     */
    static <T> T decoding(String record, Supplier<T> decode) {
        try {
            return decode.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RecordFormatException("invalid stored " + record + ": " + e.getMessage(), e);
        }
    }
}
