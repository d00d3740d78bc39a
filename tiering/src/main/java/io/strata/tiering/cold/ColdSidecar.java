package io.strata.tiering.cold;

import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectInfo;
import io.strata.tiering.TierException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The metadata file stored beside each cold object ({@code <data name>~meta} in every tier), so
 * that a version's record can be rebuilt from the cold bucket alone and a person can read it with
 * {@code aws s3 cp ... -}. Plain UTF-8 text:
 * <pre>
 * strata-cold-metadata 1 CRC
 * size=1048576
 * content-type=text%2Fplain
 * meta.NAME=VALUE            (one per x-amz-meta-* pair)
 * strata.NAME=VALUE          (one per field of the Strata record: version-id, etag, last-modified, ...)
 * </pre>
 * CRC is the hex CRC32C of everything after the first line; names and values are percent-encoded
 * UTF-8 except {@code [A-Za-z0-9._-]}. Lines are sorted within each group. Stateless and thread-safe.
 */
final class ColdSidecar {
    static final String MAGIC = "strata-cold-metadata";
    static final int FORMAT_VERSION = 1;
    /** Suffix of the sidecar's name after the data object's name. */
    static final String SUFFIX = "~meta";

    private ColdSidecar() {
    }

    static String encode(long size, ColdMetadata metadata) {
        StringBuilder body = new StringBuilder();
        body.append("size=").append(size).append('\n');
        body.append("content-type=").append(LocalDirectoryColdTier.percentEncode(metadata.contentType())).append('\n');
        new TreeMap<>(metadata.userMetadata()).forEach((k, v) -> body.append("meta.")
                .append(LocalDirectoryColdTier.percentEncode(k)).append('=')
                .append(LocalDirectoryColdTier.percentEncode(v)).append('\n'));
        new TreeMap<>(metadata.record()).forEach((k, v) -> body.append("strata.")
                .append(LocalDirectoryColdTier.percentEncode(k)).append('=')
                .append(LocalDirectoryColdTier.percentEncode(v)).append('\n'));
        return MAGIC + " " + FORMAT_VERSION + " " + crc(body.toString()) + "\n" + body;
    }

    /**
     * @throws TierException CORRUPT if the text is not a sidecar of this format or fails its checksum
     */
    static ColdObjectInfo decode(String text, Object subject) {
        try {
            int nl = text.indexOf('\n');
            String[] header = text.substring(0, nl).split(" ");
            String body = text.substring(nl + 1);
            if (header.length != 3 || !header[0].equals(MAGIC) || Integer.parseInt(header[1]) != FORMAT_VERSION) {
                throw new IllegalArgumentException("bad header");
            }
            if (!header[2].equals(crc(body))) throw new IllegalArgumentException("checksum mismatch");
            long size = -1;
            String contentType = null;
            Map<String, String> user = new TreeMap<>();
            Map<String, String> record = new TreeMap<>();
            for (String line : body.split("\n")) {
                if (line.isEmpty()) continue;
                int eq = line.indexOf('=');
                String name = line.substring(0, eq);
                String value = LocalDirectoryColdTier.percentDecode(line.substring(eq + 1));
                if (name.equals("size")) size = Long.parseLong(value);
                else if (name.equals("content-type")) contentType = value;
                else if (name.startsWith("meta.")) user.put(LocalDirectoryColdTier.percentDecode(name.substring(5)), value);
                else if (name.startsWith("strata.")) record.put(LocalDirectoryColdTier.percentDecode(name.substring(7)), value);
            }
            return new ColdObjectInfo(size, new ColdMetadata(contentType, user, record));
        } catch (RuntimeException e) {
            throw new TierException(TierException.Reason.CORRUPT, subject + ": unreadable metadata sidecar", e);
        }
    }

    private static String crc(String s) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
