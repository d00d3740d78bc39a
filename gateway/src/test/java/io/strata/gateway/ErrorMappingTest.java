package io.strata.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.erasure.ErasureException;
import io.strata.gateway.http.TransportError;
import org.junit.jupiter.api.Test;

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
}
