package io.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CredentialsTest {
    @Test
    void toStringHidesTheSecret() {
        Credentials c = new Credentials(TestRequests.ACCESS_KEY, TestRequests.SECRET_KEY);
        assertFalse(c.toString().contains(TestRequests.SECRET_KEY));
        assertFalse(c.toString().contains("EXAMPLEKEY"));
        assertTrue(c.toString().contains(TestRequests.ACCESS_KEY));
    }

    @Test
    void blankKeysAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Credentials(" ", "secret"));
        assertThrows(IllegalArgumentException.class, () -> new Credentials("key", ""));
    }

    @Test
    void storeFindsOnlyItsKeys() {
        CredentialStore store = CredentialStore.of(new Credentials("a", "s1"), new Credentials("b", "s2"));
        assertEquals("s2", store.find("b").orElseThrow().secretKey());
        assertTrue(store.find("c").isEmpty());
    }
}
