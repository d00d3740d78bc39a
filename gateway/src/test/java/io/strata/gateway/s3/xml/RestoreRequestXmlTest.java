package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RestoreObject's body checks. */
class RestoreRequestXmlTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "<RestoreRequest><Days>1</Days></RestoreRequest>",
            "<RestoreRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Days>30</Days>"
                    + "<GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>",
            "<RestoreRequest><Days>2</Days><Tier>Expedited</Tier></RestoreRequest>",
            "<RestoreRequest/>",
    })
    void acceptsRestoreRequests(String body) {
        assertDoesNotThrow(() -> RestoreRequestXml.check(body.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<RestoreRequest><Days>0</Days></RestoreRequest>",
            "<RestoreRequest><Days>-1</Days></RestoreRequest>",
            "<RestoreRequest><Days>soon</Days></RestoreRequest>",
            "<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Fast</Tier></GlacierJobParameters></RestoreRequest>",
            "<RestoreRequest><Days>1</Days><Color>red</Color></RestoreRequest>",
            "<Restore><Days>1</Days></Restore>",
            "<RestoreRequest><Days>1</Days>",
    })
    void refusesMalformedRestoreRequestsWithMalformedXml(String body) {
        S3Exception e = assertThrows(S3Exception.class,
                () -> RestoreRequestXml.check(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(S3Error.MALFORMED_XML, e.error());
    }

    @Test
    void selectRestoresAreNotImplemented() {
        S3Exception e = assertThrows(S3Exception.class, () -> RestoreRequestXml.check(
                "<RestoreRequest><Type>SELECT</Type></RestoreRequest>".getBytes(StandardCharsets.UTF_8)));
        assertEquals(S3Error.NOT_IMPLEMENTED, e.error());
    }
}
