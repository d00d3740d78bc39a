package io.strata.tiering.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.tiering.S3ColdTierConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** {@link S3ReplicaSender} against s3proxy, a third-party S3 server, on loopback. */
class S3ReplicaSenderTest {
    private static final String KEY = "repl-access";
    private static final String SECRET = "repl-secret";
    static BlobStoreContext context;
    static S3Proxy proxy;
    static URI endpoint;
    static S3Client client;

    @BeforeAll
    static void start() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                .endpoint(URI.create("http://127.0.0.1:0")).build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start");
            Thread.onSpinWait();
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        context.getBlobStore().createContainerInLocation(null, "dest");
        client = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET))).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
        if (proxy != null) proxy.stop();
        if (context != null) context.close();
    }

    private static S3ReplicaSender sender(URI to, String bucket) {
        return S3ReplicaSender.create(new ReplicationTarget("t1", new S3ColdTierConfig(to, "us-east-1", bucket, "", KEY,
                SECRET, true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty())));
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ReplicaData of(byte[] b) {
        return (offset, length) -> new ByteArrayInputStream(b, (int) offset, (int) length);
    }

    private static byte[] md5(byte[] b, int from, int to) throws Exception {
        MessageDigest d = MessageDigest.getInstance("MD5");
        d.update(b, from, to - from);
        return d.digest();
    }

    private static Replica replica(String key, byte[] data, String etag, List<Long> parts) {
        return new Replica(key, "v-123", Instant.parse("2026-01-02T03:04:05Z"), data.length, etag, "text/plain",
                Map.of("cache-control", "no-cache"), Map.of("color", "blue"), Map.of(), Map.of("team", "a"),
                parts, List.of(), Optional.empty());
    }

    @Test
    void aSinglePartVersionArrivesWithItsBytesEtagMetadataAndSourceIdentity() throws Exception {
        byte[] data = bytes(1000, 1);
        String etag = HexFormat.of().formatHex(md5(data, 0, data.length));
        try (S3ReplicaSender s = sender(endpoint, "dest")) {
            s.put(replica("a/one", data, etag, List.of()), of(data));
            assertEquals(S3ReplicaSender.State.OK, s.state());
        }
        HeadObjectResponse head = client.headObject(h -> h.bucket("dest").key("a/one"));
        assertEquals("\"" + etag + "\"", head.eTag());
        assertEquals("text/plain", head.contentType());
        assertEquals("no-cache", head.cacheControl());
        assertEquals(Map.of("color", "blue", Replica.SOURCE_VERSION_ID, "v-123", Replica.SOURCE_MTIME,
                "2026-01-02T03:04:05Z"), head.metadata());
        assertArrayEquals(data, client.getObjectAsBytes(g -> g.bucket("dest").key("a/one")).asByteArray());
    }

    @Test
    void aMultipartVersionIsSentWithTheSourcesPartSizesSoTheEtagIsTheSame() throws Exception {
        int part = 5 << 20;
        byte[] data = bytes(part + 1234, 2);
        MessageDigest all = MessageDigest.getInstance("MD5");
        all.update(md5(data, 0, part));
        all.update(md5(data, part, data.length));
        String etag = HexFormat.of().formatHex(all.digest()) + "-2";
        try (S3ReplicaSender s = sender(endpoint, "dest")) {
            s.put(replica("mp", data, etag, List.of((long) part, 1234L)), of(data));
        }
        assertEquals("\"" + etag + "\"", client.headObject(h -> h.bucket("dest").key("mp")).eTag());
        assertArrayEquals(data, client.getObjectAsBytes(g -> g.bucket("dest").key("mp")).asByteArray());
    }

    @Test
    void aDeleteMarkerRemovesTheKeyAtAnUnversionedTarget() {
        byte[] data = bytes(10, 3);
        try (S3ReplicaSender s = sender(endpoint, "dest")) {
            s.put(replica("gone", data, "x", List.of()), of(data));
            s.deleteMarker("gone");
            s.deleteMarker("gone");
        }
        assertThrows(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class,
                () -> client.headObject(h -> h.bucket("dest").key("gone")));
    }

    @Test
    void aMissingBucketIsPermanentAndAnUnreachableTargetIsTransient() throws Exception {
        byte[] data = bytes(10, 4);
        try (S3ReplicaSender s = sender(endpoint, "no-such-bucket")) {
            ReplicationException e = assertThrows(ReplicationException.class,
                    () -> s.put(replica("k", data, "x", List.of()), of(data)));
            assertEquals(ReplicationException.Reason.PERMANENT, e.reason());
        }
        int closed;
        try (var socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (S3ReplicaSender s = sender(URI.create("http://127.0.0.1:" + closed), "dest")) {
            ReplicationException e = assertThrows(ReplicationException.class,
                    () -> s.put(replica("k", data, "x", List.of()), of(data)));
            assertEquals(ReplicationException.Reason.TRANSIENT, e.reason());
            assertEquals(S3ReplicaSender.State.BACKOFF, s.state());
        }
    }
}
