package io.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SigV4SignerTest {
    private static final Credentials ROOT = new Credentials("AKIDEXAMPLE1", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static SignedRequest asReceived(String method, String path, String query, Map<String, String> headers) {
        Map<String, List<String>> h = new TreeMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), List.of(v)));
        return new SignedRequest(method, path, query, h);
    }

    @Test
    void theVerifierAcceptsWhatTheSignerSigns() {
        Map<String, String> headers = SigV4Signer.signEmptyBody("POST", "/_strata/admin/heal", "scrub=true",
                "127.0.0.1:9000", ROOT, "us-east-1", NOW);
        SigV4Verifier verifier = SigV4Verifier.create(CredentialStore.of(ROOT), Clock.fixed(NOW, ZoneOffset.UTC));
        Authentication auth = verifier.verify(asReceived("POST", "/_strata/admin/heal", "scrub=true", headers));
        assertEquals("AKIDEXAMPLE1", auth.accessKey());
    }

    @Test
    void aWrongSecretDoesNotVerify() {
        Map<String, String> headers = SigV4Signer.signEmptyBody("GET", "/_strata/admin/heal", "", "localhost",
                new Credentials("AKIDEXAMPLE1", "not-the-secret-at-all"), "us-east-1", NOW);
        SigV4Verifier verifier = SigV4Verifier.create(CredentialStore.of(ROOT), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThrows(AuthException.class, () -> verifier.verify(asReceived("GET", "/_strata/admin/heal", "", headers)));
    }
}
