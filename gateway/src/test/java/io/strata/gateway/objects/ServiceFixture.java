package io.strata.gateway.objects;

import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.tiering.ColdTiers;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An object service over a real RocksDB namespace and a 4+2 erasure store with 64 KiB blocks under
 * {@code dir}, with one bucket created: the ground of the in-package service tests. The test closes it.
 */
record ServiceFixture(Namespace namespace, ErasureStore store, ObjectService service) implements AutoCloseable {
    static ServiceFixture open(Path dir, ColdTiers tiers, int inlineThreshold, BucketName bucket) {
        // Wired as StrataServer wires it, so the service tests see the gateway's garbage rule.
        Namespace namespace = Namespace.open(dir.resolve("meta"), io.strata.namespace.ChangeLogLimits.DEFAULT,
                Clock.systemUTC(), 0, ObjectService.NEEDS_FREEING);
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= 6; i++) drives.add(dir.resolve("drives").resolve("d" + i));
        ErasureStore store = ErasureStore.open(new ErasureConfig(drives, 4, 2, 64 << 10));
        ObjectService service = new ObjectService(namespace, store, Clock.systemUTC(), tiers, inlineThreshold);
        service.start();
        namespace.createBucket(new Bucket(bucket, Instant.now(), "us-east-1", "owner"));
        return new ServiceFixture(namespace, store, service);
    }

    @Override
    public void close() {
        service.close();
        store.close();
        namespace.close();
    }
}
