package io.strata.tiering.lifecycle;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.namespace.VersionQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lifecycle delete actions against a real namespace, with a client write landing between the
 * worker's read (its listing, which produced the version passed in) and the delete: the write was
 * acknowledged, so it must survive.
 */
class NamespaceLifecycleActionsTest {
    private static final BucketName BUCKET = new BucketName("lc-race");
    private static final AtomicLong SEQUENCE = new AtomicLong();
    /** Every namespace call that removes an entry: the interleaved write runs just before the first of them. */
    private static final Set<String> DELETES = Set.of("deleteObject", "deleteObjectIf", "deleteVersion", "deleteVersionIf");

    @TempDir
    Path dir;
    private Namespace namespace;
    /** Runs once, just before the actions' first delete call reaches the namespace. */
    private final AtomicReference<Runnable> beforeDelete = new AtomicReference<>();

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
        namespace.createBucket(new Bucket(BUCKET, Instant.now(), "us-east-1", "owner"));
    }

    @AfterEach
    void close() {
        namespace.close();
    }

    /** The namespace as the actions see it: every delete first runs the pending interleaved write. */
    private NamespaceLifecycleActions actionsWithInterleavedWrite() {
        Namespace hooked = (Namespace) Proxy.newProxyInstance(Namespace.class.getClassLoader(),
                new Class<?>[] {Namespace.class}, (proxy, method, args) -> {
                    if (DELETES.contains(method.getName())) {
                        Runnable write = beforeDelete.getAndSet(null);
                        if (write != null) write.run();
                    }
                    try {
                        return method.invoke(namespace, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new NamespaceLifecycleActions(hooked);
    }

    private ObjectVersion put(String key, Instant lastModified) {
        Segment s = new Segment(10, ("blob-" + SEQUENCE.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
        ObjectVersion v = new ObjectVersion(BUCKET, new ObjectKey(key), ObjectVersion.NULL_VERSION, 10,
                "etag-" + SEQUENCE.incrementAndGet(), lastModified, "binary/octet-stream", Map.of(), Map.of(),
                Map.of(), 0, List.of(s));
        return namespace.putObject(v).version();
    }

    private List<String> etagsOf(String key) {
        return namespace.listVersions(BUCKET, new VersionQuery(key, "", "", "", 100)).versions().stream()
                .filter(e -> e.version().key().value().equals(key))
                .map(e -> e.version().deleteMarker() ? "marker" : e.version().etag()).toList();
    }

    @Test
    void anOverwriteBetweenTheWorkersReadAndItsExpirationSurvives() {
        ObjectVersion expired = put("logs/a", Instant.now().minus(30, ChronoUnit.DAYS));
        ObjectVersion[] overwrite = new ObjectVersion[1];
        beforeDelete.set(() -> overwrite[0] = put("logs/a", Instant.now()));

        boolean acted = actionsWithInterleavedWrite().expireCurrent(expired);

        assertFalse(acted, "the version the worker saw is gone: nothing to expire");
        assertEquals(List.of(overwrite[0].etag()), etagsOf("logs/a"), "the acknowledged overwrite was deleted");
        assertEquals(overwrite[0], namespace.object(BUCKET, new ObjectKey("logs/a")).orElseThrow());
    }

    @Test
    void aTagChangeBetweenTheWorkersReadAndItsExpirationStopsIt() {
        // A rule filtering by tag matched the version the worker read; once its tags changed it may not match.
        ObjectVersion expired = put("logs/t", Instant.now().minus(30, ChronoUnit.DAYS));
        beforeDelete.set(() -> assertTrue(namespace.replaceVersion(expired,
                expired.withTags(Map.of("keep", "yes")))));

        assertFalse(actionsWithInterleavedWrite().expireCurrent(expired));
        assertEquals(List.of(expired.etag()), etagsOf("logs/t"));
    }

    @Test
    void aNoncurrentVersionThatBecameCurrentAgainIsNotDeleted() {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        ObjectVersion old = put("k", Instant.now().minus(30, ChronoUnit.DAYS));
        ObjectVersion newer = put("k", Instant.now());
        // Between the worker's listing (old was noncurrent) and its delete, a client deletes the newer version.
        beforeDelete.set(() -> namespace.deleteVersion(BUCKET, newer.key(), newer.versionId()));

        assertFalse(actionsWithInterleavedWrite().deleteVersion(old));
        assertEquals(List.of(old.etag()), etagsOf("k"), "the key's only version, now current, was deleted");
    }

    @Test
    void anExpiredDeleteMarkerThatGainedAVersionIsKept() {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        ObjectVersion v = put("m", Instant.now().minus(30, ChronoUnit.DAYS));
        ObjectVersion marker = namespace.deleteObject(BUCKET, v.key()).marker().orElseThrow();
        namespace.deleteVersion(BUCKET, v.key(), v.versionId());
        // The marker is now the key's only entry (an expired object delete marker); a PUT lands meanwhile.
        ObjectVersion[] overwrite = new ObjectVersion[1];
        beforeDelete.set(() -> overwrite[0] = put("m", Instant.now()));

        boolean acted = actionsWithInterleavedWrite().deleteVersion(marker);

        // Removing the marker now is harmless to the data, but it is no longer the key's only entry.
        assertFalse(acted);
        assertEquals(List.of(overwrite[0].etag(), "marker"), etagsOf("m"));
    }

    @Test
    void withoutInterferenceTheActionsStillAct() {
        ObjectVersion expired = put("plain", Instant.now().minus(30, ChronoUnit.DAYS));
        assertTrue(actionsWithInterleavedWrite().expireCurrent(expired));
        assertEquals(List.of(), etagsOf("plain"));
    }
}
