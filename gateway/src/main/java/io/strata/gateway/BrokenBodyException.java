package io.strata.gateway;

import io.strata.namespace.ObjectVersion;

/**
 * Reading an object's stored data failed after its response had started: the status line and
 * headers are out, so no error document can follow. The S3 API logs it once at ERROR, naming the
 * store and the object, and closes the connection: the client sees a body shorter than its
 * Content-Length (SDKs fail or retry the GET) instead of bytes that look whole. The same for the
 * hot and the cold tiers.
 */
final class BrokenBodyException extends RuntimeException {
    private final String store;
    private final ObjectVersion version;

    /**
     * @param store   where the bytes came from: {@code hot tier} or {@code tier NAME}
     * @param version the version being sent
     * @param cause   what the store threw
     */
    BrokenBodyException(String store, ObjectVersion version, Throwable cause) {
        super(store + " failed while sending " + version.bucket() + "/" + version.key() + ": " + cause.getMessage(), cause);
        this.store = store;
        this.version = version;
    }

    String store() {
        return store;
    }

    ObjectVersion version() {
        return version;
    }
}
