package io.strata.gateway.s3;

import io.strata.tiering.snapshot.SnapshotException;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.erasure.ErasureException;
import io.strata.gateway.http.TransportError;
import io.strata.gateway.objects.ObjectException.Reason;
import io.strata.gateway.objects.ObjectException;
import io.strata.namespace.BucketName;
import io.strata.tiering.placement.PlacementException;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;

class ErrorMappingTest {
    @Test
    void writeQuorumLostIsServiceUnavailableSoClientsRetry() {
        S3Exception e = ErrorMapping.toS3(new ErasureException(ErasureException.Reason.WRITE_QUORUM_LOST, "2 drives out"));
        assertEquals(S3Error.SERVICE_UNAVAILABLE, e.error());
        assertEquals(503, e.error().status());
    }

    @Test
    void readQuorumLostAndIoAreInternalErrors() {
        for (ErasureException.Reason reason : new ErasureException.Reason[] {ErasureException.Reason.READ_QUORUM_LOST,
                ErasureException.Reason.IO}) {
            assertEquals(S3Error.INTERNAL_ERROR, ErrorMapping.toS3(new ErasureException(reason, "x")).error());
        }
    }

    /** The transport writes its own error documents before routing; they must be the S3 API's errors. */
    @Test
    void everyTransportErrorIsTheS3ErrorOfTheSameCodeStatusAndMessage() {
        for (TransportError t : TransportError.values()) {
            S3Exception e = ErrorMapping.toS3(t, t.message());
            assertEquals(t.code(), e.error().code(), t.name());
            assertEquals(t.status(), e.error().status(), t.name());
            assertEquals(t.message(), e.error().message(), t.name());
        }
    }

    /**
     * Every reason of the data plane, with the S3 error it was thrown as before the data plane had
     * its own exception: the same code and status, and S3's own message when the reason carries none.
     */
    @Test
    void everyObjectReasonIsTheS3ErrorItWasBefore() {
        Map<Reason, S3Error> expected = new EnumMap<>(Reason.class);
        expected.put(Reason.NO_SUCH_BUCKET, S3Error.NO_SUCH_BUCKET);
        expected.put(Reason.NO_SUCH_KEY, S3Error.NO_SUCH_KEY);
        expected.put(Reason.NO_SUCH_UPLOAD, S3Error.NO_SUCH_UPLOAD);
        expected.put(Reason.INVALID_PART, S3Error.INVALID_PART);
        expected.put(Reason.INVALID_PART_ORDER, S3Error.INVALID_PART_ORDER);
        expected.put(Reason.NO_PARTS, S3Error.MALFORMED_XML);
        expected.put(Reason.MISSING_PART_CHECKSUM, S3Error.INVALID_REQUEST);
        expected.put(Reason.ENTITY_TOO_SMALL, S3Error.ENTITY_TOO_SMALL);
        expected.put(Reason.BAD_DIGEST, S3Error.BAD_DIGEST);
        expected.put(Reason.INCOMPLETE_BODY, S3Error.INCOMPLETE_BODY);
        expected.put(Reason.BODY_TOO_LONG, S3Error.INVALID_REQUEST);
        expected.put(Reason.CORRUPT_DATA, S3Error.INTERNAL_ERROR);
        expected.put(Reason.COPY_SOURCE_UNREADABLE, S3Error.INTERNAL_ERROR);
        expected.put(Reason.SLOW_DOWN, S3Error.SLOW_DOWN);
        expected.put(Reason.READ_ONLY_SNAPSHOT, S3Error.ACCESS_DENIED);
        // A replica whose order is another version's (two sites share a site.number): refused for good.
        expected.put(Reason.REPLICA_CONFLICT, S3Error.INVALID_REQUEST);
        assertEquals(EnumSet.allOf(Reason.class), expected.keySet(), "every reason has an expected S3 error");
        for (Reason reason : Reason.values()) {
            S3Exception e = ErrorMapping.toS3(new ObjectException(reason));
            assertEquals(expected.get(reason), e.error(), reason.name());
            assertEquals(expected.get(reason).message(), e.getMessage(), reason.name());
        }
    }

    @Test
    void anObjectFailuresMessageResourceAndElementsReachTheErrorDocument() {
        S3Exception bucket = ErrorMapping.toS3(new ObjectException(Reason.NO_SUCH_BUCKET).resource("/photos")
                .with("BucketName", "photos"));
        assertEquals("/photos", bucket.resource());
        assertEquals(Map.of("BucketName", "photos"), bucket.extra());
        assertEquals(S3Error.NO_SUCH_BUCKET.message(), bucket.getMessage());
        S3Exception part = ErrorMapping.toS3(new ObjectException(Reason.INVALID_PART, "A part changed while the upload was "
                + "being completed; retry.").with("PartNumber", "2").with("ETag", "abc"));
        assertEquals("A part changed while the upload was being completed; retry.", part.getMessage());
        assertEquals(java.util.List.of("PartNumber", "ETag"), java.util.List.copyOf(part.extra().keySet()));
        assertEquals(null, part.resource());
    }

    /**
     * Placement's failures are the S3 errors the gateway answered when placement threw the data
     * plane's exception: the same code, status, message, resource and elements.
     */
    @Test
    void everyPlacementReasonIsTheS3ErrorItWasBefore() {
        Map<PlacementException.Reason, S3Exception> before = new EnumMap<>(PlacementException.Reason.class);
        before.put(PlacementException.Reason.NO_SUCH_BUCKET, ErrorMapping.toS3(new ObjectException(Reason.NO_SUCH_BUCKET)
                .resource("/photos").with("BucketName", "photos")));
        before.put(PlacementException.Reason.SLOW_DOWN, ErrorMapping.toS3(new ObjectException(Reason.SLOW_DOWN,
                "Too many restores in progress; retry later.")));
        assertEquals(EnumSet.allOf(PlacementException.Reason.class), before.keySet(), "every reason has an expected S3 error");
        Map<PlacementException.Reason, PlacementException> now = Map.of(
                PlacementException.Reason.NO_SUCH_BUCKET, PlacementException.noSuchBucket(new BucketName("photos")),
                PlacementException.Reason.SLOW_DOWN, PlacementException.slowDown("restore of photos/k not queued"));
        for (PlacementException.Reason reason : PlacementException.Reason.values()) {
            S3Exception expected = before.get(reason);
            S3Exception e = ErrorMapping.toS3(now.get(reason));
            assertEquals(expected.error(), e.error(), reason.name());
            assertEquals(expected.getMessage(), e.getMessage(), reason.name());
            assertEquals(expected.resource(), e.resource(), reason.name());
            assertEquals(expected.extra(), e.extra(), reason.name());
        }
        assertEquals(404, ErrorMapping.toS3(now.get(PlacementException.Reason.NO_SUCH_BUCKET)).error().status());
        assertEquals(503, ErrorMapping.toS3(now.get(PlacementException.Reason.SLOW_DOWN)).error().status());
    }

    @Test
    void anAttachedSnapshotsDamagedDataIsInternalErrorAnUnreachableOneServiceUnavailableAWriteAccessDenied() {
        S3Exception corrupt = ErrorMapping.toS3Read(new SnapshotException(SnapshotException.Reason.CORRUPT, "data object x fails its check"));
        assertEquals(500, corrupt.error().status());
        org.junit.jupiter.api.Assertions.assertTrue(corrupt.getMessage().contains("integrity check"), corrupt.getMessage());
        assertEquals(503, ErrorMapping.toS3Read(new SnapshotException(SnapshotException.Reason.UNAVAILABLE, "cold tier A")).error().status());
        S3Exception write = ErrorMapping.toS3(new ObjectException(Reason.READ_ONLY_SNAPSHOT, "Bucket b is an attached snapshot"));
        assertEquals(S3Error.ACCESS_DENIED, write.error());
        assertEquals("Bucket b is an attached snapshot", write.getMessage());
    }

    @Test
    void aRepositoryReadFailureNamesTheRepositoryNotAnAttachAsRestoredBucketsReadThroughItToo() {
        for (SnapshotException.Reason reason : SnapshotException.Reason.values()) {
            String message = ErrorMapping.toS3Read(new SnapshotException(reason, "data/b/k/@1: 404 NoSuchKey")).getMessage();
            org.junit.jupiter.api.Assertions.assertTrue(message.startsWith("The snapshot repository") && !message.contains("attached"),
                    message);
        }
    }
}
