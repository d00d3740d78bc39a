package io.strata.gateway.replication;

import io.strata.gateway.config.ReplicationTargetSpec;
import io.strata.namespace.BucketName;
import io.strata.namespace.ChangeCursor;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.Namespace;
import io.strata.tiering.replication.ReplicationTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replication target registry: what it keeps on disk, what it refuses, what it never shows. */
class ReplicationTargetsTest {
    private static final String SECRET = "s3cr3t/Key+value";

    @TempDir
    Path dataDir;
    private Namespace namespace;

    @BeforeEach
    void open() {
        namespace = Namespace.open(dataDir.resolve("meta"));
    }

    @AfterEach
    void close() {
        namespace.close();
    }

    private ReplicationTargets open(Path dir) {
        return new ReplicationTargets(dir, namespace.changeFeed());
    }

    private static ReplicationTarget target(String name, String bucket) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("endpoint", "http://127.0.0.1:9100");
        s.put("bucket", bucket);
        s.put("access-key", "AKID");
        s.put("secret-key", SECRET);
        s.put("region", "eu-west-1");
        s.put("path-style", "true");
        return ReplicationTargetSpec.parse(name, s);
    }

    @Test
    void anAddedTargetIsKeptOwnerOnlyAndReadBackAfterARestart() throws Exception {
        ReplicationTargets targets = open(dataDir);
        ReplicationTarget west = target("west", "data");
        targets.add(west, arn -> List.of());
        Path file = dataDir.resolve(ReplicationTargets.DIR).resolve("west.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(Files.exists(file.resolveSibling("west.properties.tmp")));

        ReplicationTargets reopened = open(dataDir);
        assertEquals(List.of(west), reopened.list());
        assertEquals("arn:aws:s3:::data", reopened.get("west").orElseThrow().arn());
        assertTrue(reopened.get("west").orElseThrow().s3().pathStyle());

        reopened.remove("west", arn -> List.of());
        assertFalse(Files.exists(file));
        assertEquals(List.of(), open(dataDir).list());
    }

    @Test
    void eachTargetHasADurableChangeLogCursorFromItsAddition() throws Exception {
        ChangeFeed feed = namespace.changeFeed();
        namespace.createBucket(new io.strata.namespace.Bucket(new BucketName("before"), java.time.Instant.now(), "us-east-1", "owner"));
        ReplicationTargets targets = open(dataDir);
        targets.add(target("west", "data"), arn -> List.of());
        long added = feed.head();
        assertEquals(java.util.Optional.of(new ChangeCursor("replication:west", added, false)), feed.cursor("replication:west"));
        namespace.createBucket(new io.strata.namespace.Bucket(new BucketName("after"), java.time.Instant.now(), "us-east-1", "owner"));
        feed.trim();
        assertEquals(1, feed.changes(added, 10).entries().size(), "the change after the target's addition is kept for it");

        targets.remove("west", arn -> List.of());
        assertEquals(java.util.Optional.empty(), feed.cursor("replication:west"));
    }

    /** A crash between a target's file and its cursor is repaired by the next start, whichever way it fell. */
    @Test
    void theNextStartMakesCursorsMatchTheTargets() throws Exception {
        ChangeFeed feed = namespace.changeFeed();
        open(dataDir).add(target("west", "data"), arn -> List.of());
        feed.removeCursor("replication:west");           // added, crashed before its cursor (an older order)
        feed.registerCursor("replication:ghost");        // removed, crashed before its cursor went
        feed.registerCursor("snapshot:other-consumer");  // not ours: left alone
        open(dataDir);
        assertEquals(List.of("replication:west", "snapshot:other-consumer"),
                feed.cursors().stream().map(ChangeCursor::name).sorted().toList());
    }

    @Test
    void descriptionsAndToStringNeverHoldTheSecret() {
        ReplicationTarget west = target("west", "data");
        assertFalse(west.toString().contains(SECRET), west.toString());
        assertFalse(ReplicationTargetSpec.description(west).contains(SECRET));
        assertFalse(ReplicationTargetSpec.description(west).contains("AKID"));
    }

    @Test
    void aTakenNameOrAnUnknownNameIsRefusedAndChangesNothing() throws Exception {
        ReplicationTargets targets = open(dataDir);
        targets.add(target("west", "data"), arn -> List.of());
        var taken = assertThrows(IllegalStateException.class, () -> targets.add(target("west", "other"), arn -> List.of()));
        assertTrue(taken.getMessage().contains("exists already"), taken.getMessage());
        assertEquals("data", open(dataDir).get("west").orElseThrow().s3().bucket());
        assertThrows(NoSuchElementException.class, () -> targets.remove("east", arn -> List.of()));
    }

    @Test
    void aTargetThatAConfigurationSendsToStays() throws Exception {
        ReplicationTargets targets = open(dataDir);
        targets.add(target("west", "data"), arn -> List.of());
        var inUse = assertThrows(IllegalStateException.class,
                () -> targets.remove("west", arn -> arn.equals("arn:aws:s3:::data") ? List.of("photos") : List.of()));
        assertTrue(inUse.getMessage().contains("photos"), inUse.getMessage());
        // A second target of that ARN would make the stored destination resolve to two targets.
        var ambiguous = assertThrows(IllegalStateException.class,
                () -> targets.add(target("west-2", "data"), arn -> List.of("photos")));
        assertTrue(ambiguous.getMessage().contains("west"), ambiguous.getMessage());
        assertEquals(List.of("west"), open(dataDir).list().stream().map(ReplicationTarget::name).toList());
        // Unused, the same bucket at a second endpoint may be registered (a destination naming it is then refused).
        targets.add(target("west-2", "data"), arn -> List.of());
        assertEquals(2, targets.list().size());
    }

    @Test
    void settingsAreValidatedNamingTheSettingButNeverTheSecret() {
        Map<String, Map<String, String>> bad = new LinkedHashMap<>();
        bad.put("endpoint", Map.of("endpoint", "ftp://host", "bucket", "data", "access-key", "a", "secret-key", SECRET));
        bad.put("endpoint ", Map.of("endpoint", "http://user:" + SECRET + "@host", "bucket", "data", "access-key", "a",
                "secret-key", SECRET));
        bad.put("endpoint  ", Map.of("endpoint", "http://host/path", "bucket", "data", "access-key", "a", "secret-key", SECRET));
        bad.put("bucket", Map.of("endpoint", "http://host", "bucket", "Bad_Bucket", "access-key", "a", "secret-key", SECRET));
        bad.put("secret-key", Map.of("endpoint", "http://host", "bucket", "data", "access-key", "a"));
        bad.put("path-style", Map.of("endpoint", "http://host", "bucket", "data", "access-key", "a", "secret-key", SECRET,
                "path-style", "yes"));
        bad.put("region", Map.of("endpoint", "http://host", "bucket", "data", "access-key", "a", "secret-key", SECRET,
                "region", "EU West"));
        bad.put("prefix", Map.of("endpoint", "http://host", "bucket", "data", "access-key", "a", "secret-key", SECRET,
                "prefix", "x/"));
        bad.forEach((setting, settings) -> {
            var e = assertThrows(IllegalArgumentException.class, () -> ReplicationTargetSpec.parse("west", settings), setting);
            assertTrue(e.getMessage().contains(setting.strip()), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        });
        assertThrows(IllegalArgumentException.class, () -> ReplicationTargetSpec.parse("West", Map.of()));
        ReplicationTarget defaults = ReplicationTargetSpec.parse("west", Map.of("endpoint", "https://s3.example.com",
                "bucket", "data", "access-key", "a", "secret-key", SECRET));
        assertEquals("us-east-1", defaults.s3().region());
        assertFalse(defaults.s3().pathStyle(), "virtual-hosted addressing by default, as the AWS SDKs");
    }

    @Test
    void aTargetIsOfKindS3UnlessSaidStrataAndItsKindIsKeptAcrossRestarts() throws Exception {
        Map<String, String> base = Map.of("endpoint", "http://127.0.0.1:9001", "bucket", "data", "access-key", "a",
                "secret-key", SECRET);
        assertEquals(ReplicationTarget.Kind.S3, ReplicationTargetSpec.parse("plain", base).kind());
        Map<String, String> strata = new LinkedHashMap<>(base);
        strata.put("kind", "strata");
        ReplicationTarget t = ReplicationTargetSpec.parse("peer", strata);
        assertEquals(ReplicationTarget.Kind.STRATA, t.kind());
        assertTrue(ReplicationTargetSpec.description(t).contains("kind strata"), ReplicationTargetSpec.description(t));
        strata.put("kind", "minio");
        var e = assertThrows(IllegalArgumentException.class, () -> ReplicationTargetSpec.parse("peer", strata));
        assertTrue(e.getMessage().contains("'kind'"), e.getMessage());
        open(dataDir).add(t, arn -> List.of());
        assertEquals(ReplicationTarget.Kind.STRATA, open(dataDir).get("peer").orElseThrow().kind(), "read again at start");
    }
}
