package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.VerifiedBody;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.ObjectVersion;
import io.strata.tiering.replication.StrataReplicaHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replica writes from another Strata site: a PutObject carrying {@link StrataReplicaHeaders}. The version
 * is kept with the source's identity (version id, modification time, ETag, part sizes, checksums, origin)
 * and status REPLICA, after its bytes are checked against the ETag and checksums
 * ({@link ObjectService#importReplica}). Malformed replica headers are {@code 400 InvalidArgument} naming
 * the header, before any byte is stored; a bucket whose versioning is not Enabled cannot keep another
 * site's version ids ({@code 400 InvalidRequest}); a caller other than the bucket's owner may not write
 * replicas ({@code 403 AccessDenied}). The sender treats all three as permanent (FAILED).
 */
final class ReplicaWrites {
    private ReplicaWrites() {
    }

    /** Whether the request carries any replica header (a PUT then goes here, or is refused). */
    static boolean isReplica(S3Request r) {
        for (String name : r.headers().keySet()) {
            if (name.startsWith(StrataReplicaHeaders.PREFIX)) return true;
        }
        return false;
    }

    static void put(ObjectService service, S3Request r, ServerResponse res) {
        long length = Uploads.length(r, Uploads.MAX_PUT_SIZE);
        ObjectService.IncomingReplica replica = parse(r, length);
        Bucket b = service.requireBucket(r.bucket());
        // A replica sets its own version id and time, which no other writer may: AWS asks for its own
        // s3:ReplicateObject permission. Strata has one account, so only the bucket's owner may.
        if (r.auth().anonymous() || !b.owner().equals(r.auth().accessKey())) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Only the bucket owner may write replicas from another Strata site.");
        }
        if (b.versioning() != BucketVersioning.ENABLED) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Versioning must be 'Enabled' on the bucket to keep replicas "
                    + "from another Strata site (they keep their version ids).");
        }
        try (InputStream raw = r.http().content().inputStream(); VerifiedBody body = r.auth().body(raw)) {
            Optional<ObjectVersion> kept = service.importReplica(r.bucket(), r.key(), body, length, replica);
            res.header("x-amz-version-id", replica.versionId());
            kept.filter(v -> !v.deleteMarker()).ifPresent(v -> res.header("ETag", "\"" + v.etag() + "\""));
            kept.filter(ObjectVersion::deleteMarker).ifPresent(v -> res.header("x-amz-delete-marker", "true"));
            res.status(Status.OK_200).send();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The replica the headers describe; @throws S3Exception InvalidArgument naming the malformed header */
    static ObjectService.IncomingReplica parse(S3Request r, long length) {
        Map<String, List<String>> h = r.headers();
        try {
            String versionId = StrataReplicaHeaders.versionId(one(h, StrataReplicaHeaders.VERSION_ID));
            Instant lastModified = StrataReplicaHeaders.lastModified(one(h, StrataReplicaHeaders.LAST_MODIFIED));
            String origin = StrataReplicaHeaders.site(one(h, StrataReplicaHeaders.ORIGIN_SITE), StrataReplicaHeaders.ORIGIN_SITE);
            List<String> sites = StrataReplicaHeaders.sites(one(h, StrataReplicaHeaders.SITES));
            boolean marker = StrataReplicaHeaders.deleteMarker(one(h, StrataReplicaHeaders.DELETE_MARKER));
            boolean backfill = StrataReplicaHeaders.backfill(one(h, StrataReplicaHeaders.BACKFILL));
            if (marker) {
                if (length != 0) throw new IllegalArgumentException("A delete marker's replica (" + StrataReplicaHeaders.DELETE_MARKER
                        + ": true) has an empty body.");
                return new ObjectService.IncomingReplica(versionId, lastModified, "", List.of(), Map.of(), List.of(),
                        ChecksumType.FULL_OBJECT, true, origin, sites, new ObjectService.Metadata("", Map.of(), Map.of()), backfill);
            }
            List<Long> partSizes = StrataReplicaHeaders.partSizes(one(h, StrataReplicaHeaders.PART_SIZES), length);
            String etag = StrataReplicaHeaders.etag(one(h, StrataReplicaHeaders.ETAG), partSizes.size());
            Map<String, String> checksums = StrataReplicaHeaders.checksums(one(h, StrataReplicaHeaders.CHECKSUMS),
                    StrataReplicaHeaders.CHECKSUMS);
            List<Map<String, String>> partChecksums = StrataReplicaHeaders.partChecksums(
                    one(h, StrataReplicaHeaders.PART_CHECKSUMS), partSizes.size());
            String type = one(h, StrataReplicaHeaders.CHECKSUM_TYPE);
            ChecksumType checksumType = type == null ? ChecksumType.FULL_OBJECT : ChecksumType.parse(type);
            if (checksumType == null) {
                throw new IllegalArgumentException("The replica header " + StrataReplicaHeaders.CHECKSUM_TYPE
                        + " is malformed: it must be FULL_OBJECT or COMPOSITE.");
            }
            return new ObjectService.IncomingReplica(versionId, lastModified, etag, partSizes, checksums, partChecksums,
                    checksumType, false, origin, sites, Uploads.metadata(r), backfill);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage()).with("ArgumentName", headerNamed(e.getMessage()));
        }
    }

    /** The single value of a header; a repeated replica header is malformed. */
    private static String one(Map<String, List<String>> h, String name) {
        List<String> values = h.get(name);
        if (values == null || values.isEmpty()) return null;
        if (values.size() > 1) {
            throw new IllegalArgumentException("The replica header " + name + " is malformed: it must be given once.");
        }
        return values.getFirst().trim();
    }

    private static String headerNamed(String message) {
        int at = message.indexOf(StrataReplicaHeaders.PREFIX);
        if (at < 0) return StrataReplicaHeaders.VERSION_ID;
        int end = at;
        while (end < message.length() && (Character.isLetterOrDigit(message.charAt(end)) || message.charAt(end) == '-')) end++;
        return message.substring(at, end);
    }
}
