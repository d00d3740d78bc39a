package io.strata.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;

class ChecksumsTest {
    private static final byte[] CHECK_INPUT = "123456789".getBytes(StandardCharsets.US_ASCII);

    /** Check values from the CRC catalogue (reveng) and FIPS 180 ("abc" below). */
    @ParameterizedTest
    @CsvSource({
            "CRC32,     cbf43926",
            "CRC32C,    e3069283",
            "CRC64NVME, ae8b14860a799888",
            "SHA1,      f7c3bc1d808e04732adf679965ccc34ca7ae3441",
            "SHA256,    15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
    })
    void checkValueOf123456789(ChecksumAlgorithm algorithm, String hex) {
        Checksummer c = algorithm.newChecksummer();
        c.update(CHECK_INPUT, 0, CHECK_INPUT.length);
        assertEquals(base64OfHex(hex), c.base64());
        assertEquals(algorithm, c.algorithm());
    }

    @ParameterizedTest
    @CsvSource({
            "CRC32,     AAAAAA==",
            "CRC32C,    AAAAAA==",
            "CRC64NVME, AAAAAAAAAAA=",
            "SHA1,      2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
            "SHA256,    47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    })
    void emptyInputGivesThePublishedEmptyValue(ChecksumAlgorithm algorithm, String base64) {
        assertEquals(base64, algorithm.newChecksummer().base64());
    }

    @Test
    void shaOfAbcMatchesFips180() {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        Checksummer sha1 = ChecksumAlgorithm.SHA1.newChecksummer();
        sha1.update(abc, 0, 3);
        assertEquals(base64OfHex("a9993e364706816aba3e25717850c26c9cd0d89d"), sha1.base64());
        Checksummer sha256 = ChecksumAlgorithm.SHA256.newChecksummer();
        sha256.update(abc, 0, 3);
        assertEquals(base64OfHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), sha256.base64());
    }

    /** The slicing-by-8 CRC64NVME against the bit-at-a-time definition, for every length 0..300 and split points. */
    @Test
    void crc64NvmeMatchesBitwiseDefinitionAtEveryLengthAndSplit() {
        Random random = new Random(64);
        byte[] data = new byte[300];
        random.nextBytes(data);
        for (int len = 0; len <= data.length; len++) {
            int split = len == 0 ? 0 : random.nextInt(len + 1);
            Checksums.Crc64NvmeChecksummer c = new Checksums.Crc64NvmeChecksummer();
            c.update(data, 0, split);
            c.update(data, split, len - split);
            assertEquals(bitwiseCrc64Nvme(data, len), c.value(), "length " + len + " split " + split);
        }
    }

    /** CRC32, CRC32C, SHA-1 and SHA-256 as the AWS SDK computes them, over data fed in uneven pieces. */
    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32C", "SHA1", "SHA256"})
    void agreesWithTheAwsSdk(ChecksumAlgorithm algorithm) {
        byte[] data = new byte[100_003];
        new Random(7).nextBytes(data);
        Checksummer ours = algorithm.newChecksummer();
        for (int off = 0; off < data.length; ) {
            int n = Math.min(data.length - off, 1 + off % 9_999);
            ours.update(data, off, n);
            off += n;
        }
        SdkChecksum sdk = SdkChecksum.forAlgorithm(DefaultChecksumAlgorithm.fromValue(algorithm.name()));
        sdk.update(data, 0, data.length);
        assertEquals(Base64.getEncoder().encodeToString(sdk.getChecksumBytes()), ours.base64());
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void askingForTheValueMidStreamDoesNotDisturbIt(ChecksumAlgorithm algorithm) {
        byte[] data = "hello, world".getBytes(StandardCharsets.US_ASCII);
        Checksummer once = algorithm.newChecksummer();
        once.update(data, 0, data.length);
        Checksummer twice = algorithm.newChecksummer();
        twice.update(data, 0, 5);
        twice.base64();
        twice.update(data, 5, data.length - 5);
        assertEquals(once.base64(), twice.base64());
    }

    @Test
    void headerNamesAndParsingRoundTrip() {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            assertEquals(a, ChecksumAlgorithm.fromHeader(a.headerName().toUpperCase()).orElseThrow());
            assertEquals(a, ChecksumAlgorithm.parse(a.name().toLowerCase()).orElseThrow());
        }
        assertEquals("x-amz-checksum-crc64nvme", ChecksumAlgorithm.CRC64NVME.headerName());
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32C", "CRC64NVME"})
    void combiningPartCrcsEqualsTheCrcOfTheConcatenation(ChecksumAlgorithm algorithm) {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[random.nextInt(round < 100 ? 64 : 70_000)];
            random.nextBytes(data);
            int parts = 1 + random.nextInt(5);
            int[] cuts = random.ints(parts - 1, 0, data.length + 1).sorted().toArray();
            String combined = null;
            int start = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int end = i < cuts.length ? cuts[i] : data.length;
                String part = checksum(algorithm, data, start, end - start);
                combined = combined == null ? part : algorithm.combine(combined, part, end - start);
                start = end;
            }
            assertEquals(checksum(algorithm, data, 0, data.length), combined, "round " + round);
        }
    }

    @Test
    void combiningWithAnEmptySecondPieceKeepsTheFirst() {
        for (ChecksumAlgorithm a : new ChecksumAlgorithm[]{ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C,
                ChecksumAlgorithm.CRC64NVME}) {
            String first = checksum(a, CHECK_INPUT, 0, CHECK_INPUT.length);
            assertEquals(first, a.combine(first, checksum(a, new byte[0], 0, 0), 0));
        }
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void compositeIsTheChecksumOfTheConcatenatedBinaryPartChecksums(ChecksumAlgorithm algorithm) {
        byte[] a = "first part".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "second part".getBytes(StandardCharsets.US_ASCII);
        String ca = checksum(algorithm, a, 0, a.length);
        String cb = checksum(algorithm, b, 0, b.length);
        byte[] ba = Base64.getDecoder().decode(ca);
        byte[] bb = Base64.getDecoder().decode(cb);
        byte[] both = new byte[ba.length + bb.length];
        System.arraycopy(ba, 0, both, 0, ba.length);
        System.arraycopy(bb, 0, both, ba.length, bb.length);
        assertEquals(checksum(algorithm, both, 0, both.length), algorithm.composite(java.util.List.of(ca, cb)));
    }

    @Test
    void combineRefusesShaAlgorithms() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ChecksumAlgorithm.SHA256.combine("AAAA", "AAAA", 1));
    }

    private static String checksum(ChecksumAlgorithm algorithm, byte[] data, int off, int len) {
        Checksummer c = algorithm.newChecksummer();
        c.update(data, off, len);
        return c.base64();
    }

    private static long bitwiseCrc64Nvme(byte[] data, int len) {
        long crc = ~0L;
        for (int i = 0; i < len; i++) {
            crc ^= data[i] & 0xffL;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9a6c9329ac4bc9b5L : crc >>> 1;
        }
        return ~crc;
    }

    private static String base64OfHex(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }
}
