package io.strata.auth;

import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derived SigV4 signing keys per (secret, date, region): four HMACs saved per request. Bounded: when
 * full it is simply cleared (keys change daily, so a working set is small). Thread-safe.
 */
final class SigningKeyCache {
    static final int DEFAULT_CAPACITY = 1024;

    private final ConcurrentHashMap<Key, SecretKeySpec> keys = new ConcurrentHashMap<>();
    private final int capacity;

    SigningKeyCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity < 1: " + capacity);
        this.capacity = capacity;
    }

    SecretKeySpec signingKey(String secret, String date, String region) {
        Key key = new Key(secret, date, region);
        SecretKeySpec cached = keys.get(key);
        if (cached != null) return cached;
        SecretKeySpec derived = SigV4.deriveSigningKey(secret, date, region);
        if (keys.size() >= capacity) keys.clear();
        keys.putIfAbsent(key, derived);
        return derived;
    }

    int size() {
        return keys.size();
    }

    /** Holds a secret: toString must not show it. */
    private record Key(String secret, String date, String region) {
        @Override
        public String toString() {
            return "Key[secret=****, date=" + date + ", region=" + region + "]";
        }
    }
}
