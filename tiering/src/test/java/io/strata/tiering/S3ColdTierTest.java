package io.strata.tiering;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract against a real third-party S3 server: s3proxy on a transient blob store, on loopback. */
class S3ColdTierTest extends ColdTierContractTest {

    private static final String ACCESS_KEY = "cold-access";
    private static final String SECRET_KEY = "cold-secret";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private static BlobStoreContext context;
    private static S3Proxy proxy;
    private static URI endpoint;

    @BeforeAll
    static void startS3Proxy() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) Thread.sleep(10);
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @AfterAll
    static void stopS3Proxy() throws Exception {
        if (proxy != null) proxy.stop();
        if (context != null) context.close();
    }

    @Override
    ColdTier createTier() {
        // A bucket per test keeps tests independent without deleting between them.
        String bucket = "cold-" + BUCKETS.incrementAndGet();
        context.getBlobStore().createContainerInLocation(null, bucket);
        return S3ColdTier.create(new S3ColdTierConfig(endpoint, "us-east-1", bucket, "strata/", ACCESS_KEY,
                SECRET_KEY, true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty()));
    }

    /**
     * s3proxy's Jetty collapses empty path segments ({@code //}) before checking the signature, so keys
     * with them fail there with {@code REJECTED}; AWS S3 stores them as they are.
     */
    @Override
    List<String> awkwardKeys() {
        return AWKWARD_KEYS.stream().filter(k -> !k.startsWith("/") && !k.contains("//")).toList();
    }

    @Test
    void coldKeyMirrorsPrefixBucketKeyAndVersion() {
        put(new ColdObjectId("photos", "a/b c.txt", "v9"), new byte[3]);
        assertEquals(3, context.getBlobStore().blobMetadata("cold-" + BUCKETS.get(),
                "strata/photos/a/b c.txt~v9").getSize());
    }

    @Test
    void wrongCredentialsAreRejected() {
        try (S3ColdTier bad = S3ColdTier.create(new S3ColdTierConfig(endpoint, "us-east-1", "cold-" + BUCKETS.get(),
                "", ACCESS_KEY, "wrong", true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty()))) {
            assertEquals(TierException.Reason.REJECTED,
                    assertThrows(TierException.class, () -> bad.delete(id("x"))).reason());
        }
    }

    @Test
    void unreachableEndpointIsUnavailableAfterRetries() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port);
        try (S3ColdTier down = S3ColdTier.create(new S3ColdTierConfig(closed, "us-east-1", "cold", "", ACCESS_KEY,
                SECRET_KEY, true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty()))) {
            long start = System.nanoTime();
            TierException e = assertThrows(TierException.class, () -> down.stat(id("x")));
            assertEquals(TierException.Reason.UNAVAILABLE, e.reason());
            // Three jittered backoffs of at least 50, 100 and 200 ms show the call was retried.
            assertTrue(System.nanoTime() - start >= 350_000_000L, "retried with backoff");
        }
    }

    @Test
    void secretStaysOutOfToString() {
        String s = new S3ColdTierConfig(endpoint, "us-east-1", "b", "", ACCESS_KEY, SECRET_KEY, true,
                S3ColdTierConfig.MIN_PART_SIZE, Optional.empty()).toString();
        assertEquals(-1, s.indexOf(SECRET_KEY), s);
    }
}
