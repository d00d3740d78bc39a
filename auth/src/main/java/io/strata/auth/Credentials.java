package io.strata.auth;

import java.util.Objects;

/** An access key and its secret. Immutable; {@link #toString()} never shows the secret. */
public record Credentials(String accessKey, String secretKey) {
    public Credentials {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        if (accessKey.isBlank()) throw new IllegalArgumentException("access key is blank");
        if (secretKey.isBlank()) throw new IllegalArgumentException("secret key is blank");
    }

    @Override
    public String toString() {
        return "Credentials[accessKey=" + accessKey + ", secretKey=****]";
    }
}
