package io.strata.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Builders and readers shared by the tests. */
final class TestRequests {
    static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final Instant AWS_EXAMPLE_TIME = Instant.parse("2013-05-24T00:00:00Z");
    static final CredentialStore STORE = CredentialStore.of(new Credentials(ACCESS_KEY, SECRET_KEY));

    private TestRequests() {
    }

    static Clock clockAt(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    static SigV4Verifier verifierAt(Instant instant) {
        return SigV4Verifier.create(STORE, clockAt(instant));
    }

    static Builder request(String method, String rawPath, String rawQuery) {
        return new Builder(method, rawPath, rawQuery);
    }

    static final class Builder {
        private final String method;
        private final String rawPath;
        private final String rawQuery;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();

        Builder(String method, String rawPath, String rawQuery) {
            this.method = method;
            this.rawPath = rawPath;
            this.rawQuery = rawQuery;
        }

        Builder header(String name, String value) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
            return this;
        }

        Builder without(String name) {
            headers.remove(name.toLowerCase(Locale.ROOT));
            return this;
        }

        Builder replace(String name, String value) {
            return without(name).header(name, value);
        }

        SignedRequest build() {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new SignedRequest(method, rawPath, rawQuery, copy);
        }
    }

    /** Reads a stream to its end with reads of random sizes (1 byte to 40 KiB), using read() now and then. */
    static byte[] readRandomly(InputStream in, long seed) {
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[40 * 1024];
        try {
            while (true) {
                if (random.nextInt(10) == 0) {
                    int b = in.read();
                    if (b < 0) break;
                    out.write(b);
                    continue;
                }
                int len = 1 + random.nextInt(random.nextBoolean() ? 16 : buf.length);
                int off = random.nextInt(buf.length - len + 1);
                int n = in.read(buf, off, len);
                if (n < 0) break;
                out.write(buf, off, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A raw stream that hands out its bytes in small random fragments, like a slow socket. */
    static InputStream trickle(byte[] data, long seed) {
        Random random = new Random(seed);
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(700)));
            }
        };
    }
}
