package io.strata.gateway.s3;

import io.strata.namespace.ObjectVersion;

import java.util.Optional;

/**
 * A GET's body failed after its response had started: the status line and headers are out, so no
 * error document can follow. Either the store failed (hot or cold: the S3 API logs it once at ERROR,
 * naming the store and the object) or the client's connection did (it went away: WARN). Either way
 * the connection is closed, so a client still listening sees a body shorter than its Content-Length
 * (SDKs fail or retry the GET) instead of bytes that look whole.
 */
public final class BrokenBodyException extends RuntimeException {
    private final String store;
    private final ObjectVersion version;

    private BrokenBodyException(String store, ObjectVersion version, Throwable cause) {
        super((store == null ? "the client connection" : store) + " failed while sending " + version.bucket() + "/"
                + version.key() + ": " + cause.getMessage(), cause);
        this.store = store;
        this.version = version;
    }

    /**
     * Reading the stored data failed.
     *
     * @param store where the bytes came from: {@code hot tier} or {@code tier NAME}
     */
    public static BrokenBodyException storeFailed(String store, ObjectVersion version, Throwable cause) {
        return new BrokenBodyException(store, version, cause);
    }

    /** Writing to the client failed (it went away, or its connection broke). */
    public static BrokenBodyException clientFailed(ObjectVersion version, Throwable cause) {
        return new BrokenBodyException(null, version, cause);
    }

    /** The store that failed ({@code hot tier} or {@code tier NAME}); empty when the client's side failed. */
    Optional<String> store() {
        return Optional.ofNullable(store);
    }

    ObjectVersion version() {
        return version;
    }
}
