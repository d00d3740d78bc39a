package io.strata.gateway.config;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * This gateway's site id: who owns (collects) a snapshot repository and whose holds are whose
 * (docs/snapshot-format.md §9, §10). Generated once and kept in {@code DATA_DIR/site-id}, so it survives
 * restarts and upgrades; a copied data directory is the same site.
 */
public final class SiteId {
    public static final String FILE = "site-id";
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private SiteId() {
    }

    /**
     * The id kept in {@code dataDir}, created ({@code site-} and 16 random hex digits) if there is none.
     *
     * @throws IOException when it cannot be read or written
     * @throws IllegalStateException when the file holds something that is not a site id
     */
    public static String loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!VALID.matcher(id).matches()) {
                throw new IllegalStateException(file + " does not hold a site id (lower-case letters, digits and -, at most 64)");
            }
            return id;
        }
        byte[] random = new byte[8];
        new java.security.SecureRandom().nextBytes(random);
        String id = "site-" + HexFormat.of().formatHex(random);
        DurableFiles.write(file, (id + "\n").getBytes(StandardCharsets.UTF_8), false);
        return id;
    }
}
