package io.strata.gateway.objects;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A failure of the data plane that the client caused or must hear about: its {@link Reason} says
 * which, its message (when it has one) says it in S3's words. The S3 API maps each reason to an S3
 * error in one place (ErrorMapping); nothing here knows HTTP. Carries no stack trace: it is an
 * answer, not a bug.
 */
public final class ObjectException extends RuntimeException {
    /** What went wrong, one reason per S3 error the data plane can cause. */
    public enum Reason {
        /** The bucket does not exist. */
        NO_SUCH_BUCKET,
        /** The key (or the version asked for) does not exist. */
        NO_SUCH_KEY,
        /** The multipart upload does not exist (never created, completed or aborted). */
        NO_SUCH_UPLOAD,
        /** A part named in CompleteMultipartUpload is missing, has another ETag or checksum, or changed meanwhile. */
        INVALID_PART,
        /** CompleteMultipartUpload listed its parts out of ascending order. */
        INVALID_PART_ORDER,
        /** CompleteMultipartUpload listed no part at all. */
        NO_PARTS,
        /** A part of a COMPOSITE checksum upload was listed without its checksum. */
        MISSING_PART_CHECKSUM,
        /** A part other than the last is smaller than the minimum part size. */
        ENTITY_TOO_SMALL,
        /** A declared Content-MD5 or checksum does not match the bytes received. */
        BAD_DIGEST,
        /** The body ended before its declared length. */
        INCOMPLETE_BODY,
        /** The body went on past its declared length. */
        BODY_TOO_LONG,
        /** Stored data or its reference failed its integrity check (an operator must look). */
        CORRUPT_DATA,
        /** The source of a copy could not be read. */
        COPY_SOURCE_UNREADABLE,
        /** Too much background work of the kind asked for is under way; retry later. */
        SLOW_DOWN,
        /** A replica from another site has the order of a different stored version: two sites share a site.number. */
        REPLICA_CONFLICT,
        /** The bucket is an attached snapshot: it serves reads only. */
        READ_ONLY_SNAPSHOT
    }

    private final Reason reason;
    private final String detail;
    private String resource;
    private final Map<String, String> details = new LinkedHashMap<>();

    /** A failure described by its reason alone (the S3 error's own message is used). */
    public ObjectException(Reason reason) {
        this(reason, null);
    }

    /** @param message S3's message for the client, or null for the S3 error's own message */
    public ObjectException(Reason reason, String message) {
        super(message == null ? reason.name() : message, null, false, false);
        this.reason = reason;
        this.detail = message;
    }

    public Reason reason() {
        return reason;
    }

    /** The message for the client, if it is not the S3 error's own. */
    public Optional<String> detail() {
        return Optional.ofNullable(detail);
    }

    /** Adds an element the error document names (UploadId, PartNumber, ...); returns this. */
    public ObjectException with(String element, String value) {
        details.put(element, value);
        return this;
    }

    /** The elements to add to the error document, in the order they were added. */
    public Map<String, String> details() {
        return Collections.unmodifiableMap(details);
    }

    /** Names the resource in the error document instead of the request's path (e.g. {@code /bucket}); returns this. */
    public ObjectException resource(String value) {
        this.resource = value;
        return this;
    }

    public Optional<String> resource() {
        return Optional.ofNullable(resource);
    }
}
