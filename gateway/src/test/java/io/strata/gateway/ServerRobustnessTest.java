package io.strata.gateway;

import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures inside the gateway that clients never cause: they are reported, and they stop nothing else. */
class ServerRobustnessTest {
    @TempDir
    Path dir;

    @Test
    void deleteObjectsLogsTheCauseOfAKeysFailureAtWarnAndStillAnswersThatKeysError() throws Exception {
        IllegalStateException fault = new IllegalStateException("test fault: metadata write failed");
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of(), ns -> FaultyNamespace.wrap(ns, call ->
                call.method().equals("deleteObject") && call.args()[1].equals(new ObjectKey("boom")) ? fault : null))) {
            gateway.createBucket("batch");
            for (String k : List.of("a", "boom", "c")) gateway.put("batch", k, k.getBytes(StandardCharsets.UTF_8));
            gateway.logs().clear();
            DeleteObjectsResponse r = gateway.s3().deleteObjects(d -> d.bucket("batch").delete(x -> x.objects(
                    ObjectIdentifier.builder().key("a").build(), ObjectIdentifier.builder().key("boom").build(),
                    ObjectIdentifier.builder().key("c").build())));
            assertEquals(List.of("a", "c"), r.deleted().stream().map(d -> d.key()).toList());
            assertEquals(List.of("boom"), r.errors().stream().map(S3Error::key).toList());
            assertEquals("InternalError", r.errors().getFirst().code());
            assertTrue(!r.errors().getFirst().message().contains("test fault"), "the cause stays out of the response");
            List<String> logged = gateway.logs().atLeast(Level.WARNING, null);
            assertEquals(1, logged.size(), logged.toString());
            assertTrue(logged.getFirst().startsWith("WARNING ") && logged.getFirst().contains("key=boom")
                    && logged.getFirst().contains("test fault: metadata write failed"), logged.toString());
        }
    }

    @Test
    void closeClosesEveryComponentWhenOneFailsAndThrowsTheFirstFailureWithTheOthersSuppressed() throws Exception {
        IllegalStateException tierFault = new IllegalStateException("test fault: the tier's client will not shut down");
        IllegalStateException namespaceFault = new IllegalStateException("test fault: namespace close failed");
        InProcessGateway gateway = InProcessGateway.start(dir.resolve("data"), Map.of(), ns ->
            FaultyNamespace.wrap(ns, call -> {
                if (!call.method().equals("close")) return null;
                ns.close();   // really closed, then reported as failed: what matters is that close was reached
                return namespaceFault;
            }));
        gateway.wrapTier("COLD", io.strata.tiering.cold.LocalDirectoryColdTier.create(dir.resolve("data/cold")), t -> {
            FaultyColdTier faulty = new FaultyColdTier(t);
            faulty.failClose(tierFault);
            return faulty;
        });
        IllegalStateException thrown = assertThrows(IllegalStateException.class, gateway::close);
        assertSame(tierFault, thrown, "the first failure is thrown");
        assertEquals(List.of(namespaceFault), List.of(thrown.getSuppressed()), "later failures are suppressed into it");
        // The namespace, closed after the tiers, was closed: its RocksDB lock is free again.
        Namespace.open(dir.resolve("data").resolve("meta")).close();
        List<String> logged = gateway.logs().atLeast(Level.SEVERE, "closing the");
        assertEquals(2, logged.size(), logged.toString());
    }
}
