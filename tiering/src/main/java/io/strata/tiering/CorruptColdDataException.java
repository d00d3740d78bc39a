package io.strata.tiering;

import java.io.IOException;

/**
 * Bytes read from a cold tier do not match what was recorded when the version moved there (a block
 * fails its CRC32C, or the cold object is shorter than recorded). Thrown from a cold read stream's
 * {@code read}, possibly after the response has started; whoever ends the request logs it as
 * corruption at ERROR, naming the tier and the object, since an operator must repair the copy.
 */
public final class CorruptColdDataException extends IOException {
    private final String tier;
    private final ColdObjectId object;

    CorruptColdDataException(String tier, ColdObjectId object, String detail) {
        super("tier " + tier + ", cold object " + object + ": " + detail);
        this.tier = tier;
        this.object = object;
    }

    /** The tier that served the bad bytes. */
    public String tier() {
        return tier;
    }

    /** The cold object (bucket, key and version of the copy) that failed. */
    public ColdObjectId object() {
        return object;
    }
}
