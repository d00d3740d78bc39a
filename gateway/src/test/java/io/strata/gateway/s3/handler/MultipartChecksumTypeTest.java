package io.strata.gateway.s3.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MultipartChecksumTypeTest {
    @ParameterizedTest
    @CsvSource({
            "CRC32,     '',          COMPOSITE",
            "CRC32C,    '',          COMPOSITE",
            "SHA1,      '',          COMPOSITE",
            "SHA256,    COMPOSITE,   COMPOSITE",
            "CRC64NVME, '',          FULL_OBJECT",
            "CRC64NVME, FULL_OBJECT, FULL_OBJECT",
            "CRC32,     FULL_OBJECT, FULL_OBJECT",
            "CRC32C,    full_object, FULL_OBJECT",
    })
    void typeDefaultsAndAllowedCombinations(ChecksumAlgorithm algorithm, String requested, String expected) {
        assertEquals(Optional.of(expected), Uploads.multipartChecksumType(Optional.of(algorithm),
                Optional.of(requested).filter(s -> !s.isEmpty())).map(Enum::name));
    }

    @ParameterizedTest
    @CsvSource({"CRC64NVME, COMPOSITE", "SHA1, FULL_OBJECT", "SHA256, FULL_OBJECT", "CRC32, WHOLE", "'', FULL_OBJECT"})
    void forbiddenCombinationsAreInvalidRequest(String algorithm, String requested) {
        S3Exception e = assertThrows(S3Exception.class, () -> Uploads.multipartChecksumType(
                ChecksumAlgorithm.parse(algorithm), Optional.of(requested)));
        assertEquals(S3Error.INVALID_REQUEST, e.error());
    }

    @Test
    void noAlgorithmNoType() {
        assertEquals(Optional.empty(), Uploads.multipartChecksumType(Optional.empty(), Optional.empty()));
    }
}
