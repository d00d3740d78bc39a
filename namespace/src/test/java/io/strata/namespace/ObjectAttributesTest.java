package io.strata.namespace;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectAttributesTest {

    @Test
    void cannedAclNamesAreLowerCaseWordsJoinedBySingleDashes() {
        for (String ok : List.of("private", "public-read", "bucket-owner-full-control", "a", "a-b")) {
            assertTrue(ObjectAttributes.isCannedAclName(ok), ok);
        }
        for (String bad : List.of("", "-", "-private", "private-", "public--read", "Public-read", "public_read",
                "public read", "public-read1", "é")) {
            assertFalse(ObjectAttributes.isCannedAclName(bad), bad);
        }
    }

    @Test
    void aMalformedCannedAclIsRefusedAndAnOldRecordsOneReadsAsPrivate() {
        assertThrows(IllegalArgumentException.class,
                () -> new ObjectAttributes(Map.of(), "public--read", ChecksumType.FULL_OBJECT));
        assertEquals("public-read", new ObjectAttributes(Map.of(), "public-read", ChecksumType.FULL_OBJECT).cannedAcl());
        var lifted = ObjectAttributes.lift(Map.of(ObjectAttributes.ACL_HEADER, "Bad_Acl", "content-language", "en"));
        assertEquals("private", lifted.attributes().cannedAcl());
        assertEquals(Map.of("content-language", "en"), lifted.headers());
    }
}
