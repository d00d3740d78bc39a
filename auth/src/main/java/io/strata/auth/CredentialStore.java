package io.strata.auth;

import java.util.Optional;

/** Looks up the secret for an access key. Thread-safe. */
@FunctionalInterface
public interface CredentialStore {
    Optional<Credentials> find(String accessKey);

    /** A store holding exactly the given credentials. */
    static CredentialStore of(Credentials... credentials) {
        var map = new java.util.HashMap<String, Credentials>();
        for (Credentials c : credentials) map.put(c.accessKey(), c);
        var copy = java.util.Map.copyOf(map);
        return key -> Optional.ofNullable(copy.get(key));
    }
}
