package io.strata.gateway.config;

import io.strata.auth.Credentials;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Properties;

/** The root credentials kept in the data directory, created on first start (file mode 0600). */
public final class RootCredentials {
    public static final String FILE = "credentials.properties";
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private RootCredentials() {
    }

    /** Loads the stored credentials, or generates and stores new ones. @return the credentials and whether they are new */
    public static Credentials loadOrCreate(Path dataDir, boolean[] created) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            String access = p.getProperty("access-key", "");
            String secret = p.getProperty("secret-key", "");
            if (access.isEmpty() || secret.isEmpty()) {
                throw new IOException(file + " lacks access-key or secret-key; delete it to generate new credentials");
            }
            created[0] = false;
            return new Credentials(access, secret);
        }
        SecureRandom random = new SecureRandom();
        Credentials c = new Credentials("STRATA" + random(random, ALNUM, 14), random(random, SECRET_CHARS, 40));
        Properties p = new Properties();
        p.setProperty("access-key", c.accessKey());
        p.setProperty("secret-key", c.secretKey());
        Files.createDirectories(dataDir);
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        p.store(text, "Strata root credentials (generated on first start)");
        DurableFiles.write(file, text.toByteArray(), true);
        created[0] = true;
        return c;
    }

    private static String random(SecureRandom r, String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return sb.toString();
    }
}
