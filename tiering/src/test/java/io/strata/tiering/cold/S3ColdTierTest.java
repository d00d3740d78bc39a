package io.strata.tiering.cold;

import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierException;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /**
     * The fault of a lost response: the request reached the store and did its work, then the answer
     * never came back (a reset connection, a timeout), so the caller retries. Counts what it did.
     */
    static final class LoseResponses implements ExecutionInterceptor {
        private final Class<? extends SdkRequest> type;
        private final int times;
        private final AtomicInteger lost = new AtomicInteger();

        LoseResponses(Class<? extends SdkRequest> type, int times) {
            this.type = type;
            this.times = times;
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (type.isInstance(context.request()) && lost.getAndIncrement() < times) {
                throw SdkClientException.create("test fault: the response to " + type.getSimpleName() + " was lost");
            }
        }

        int lost() {
            return Math.min(lost.get(), times);
        }
    }

    /** The fault of a request that never left: the first {@code times} calls of a type fail before sending. */
    static final class FailBeforeSending implements ExecutionInterceptor {
        private final Class<? extends SdkRequest> type;
        private final int times;
        private final AtomicInteger failed = new AtomicInteger();

        FailBeforeSending(Class<? extends SdkRequest> type, int times) {
            this.type = type;
            this.times = times;
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (type.isInstance(context.request()) && failed.getAndIncrement() < times) {
                throw SdkClientException.create("test fault: " + type.getSimpleName() + " could not be sent");
            }
        }

        int failed() {
            return Math.min(failed.get(), times);
        }
    }

    /**
     * Sends an {@code x-amz-checksum-crc32} header with every PutObject (s3proxy answers those with
     * 501 NotImplemented, as stores lacking a feature do) and counts the PutObjects sent.
     */
    static final class UnsupportedHeaderOnPut implements ExecutionInterceptor {
        private final AtomicInteger sent = new AtomicInteger();

        @Override
        public software.amazon.awssdk.http.SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
                                                                             ExecutionAttributes attributes) {
            if (!(context.request() instanceof PutObjectRequest)) return context.httpRequest();
            return context.httpRequest().toBuilder().putHeader("x-amz-checksum-crc32", "AAAAAA==").build();
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof PutObjectRequest) sent.incrementAndGet();
        }
    }

    /** A tier on a fresh bucket whose SDK client runs {@code faults}, with the smallest part size. */
    private static S3ColdTier faultyTier(String bucket, ExecutionInterceptor... faults) {
        context.getBlobStore().createContainerInLocation(null, bucket);
        return S3ColdTier.create(new S3ColdTierConfig(endpoint, "us-east-1", bucket, "strata/", ACCESS_KEY,
                SECRET_KEY, true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty()), List.of(faults));
    }

    /** What s3proxy itself answers to ListMultipartUploads on {@code bucket}: the uploads begun and never ended. */
    private static List<String> incompleteUploads(String bucket) {
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            return s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream()
                    .map(u -> u.key() + " " + u.uploadId()).toList();
        }
    }

    /** A stream that fails after {@code n} bytes, as a hot-tier read cut short does. */
    private static InputStream failingAfter(byte[] data, int n) {
        return new java.io.FilterInputStream(new ByteArrayInputStream(data, 0, n)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int r = super.read(b, off, len);
                if (r < 0) throw new IOException("test fault: the source failed after " + n + " bytes");
                return r;
            }
        };
    }

    private static final int MULTIPART_SIZE = (int) (2 * S3ColdTierConfig.MIN_PART_SIZE + 1000);

    @Test
    void aRetriedCreateMultipartUploadWhoseFirstResponseWasLostLeavesNoIncompleteUpload() throws IOException {
        String bucket = "cold-lost-create";
        LoseResponses lose = new LoseResponses(CreateMultipartUploadRequest.class, 1);
        byte[] data = bytes(41, MULTIPART_SIZE);
        try (S3ColdTier tier = faultyTier(bucket, lose)) {
            tier.put(id("big"), ColdMetadata.empty(), new ByteArrayInputStream(data), data.length);
            assertEquals(1, lose.lost(), "the fault happened: the first create's answer was lost");
            try (InputStream in = tier.get(id("big"), ByteRange.all())) {
                assertArrayEquals(data, in.readAllBytes());
            }
        }
        assertEquals(List.of(), incompleteUploads(bucket));
    }

    @Test
    void aPutWhoseEveryCreateResponseIsLostFailsAndLeavesNoIncompleteUpload() {
        String bucket = "cold-lost-creates";
        LoseResponses lose = new LoseResponses(CreateMultipartUploadRequest.class, S3ColdTier.MAX_ATTEMPTS);
        byte[] data = bytes(42, MULTIPART_SIZE);
        try (S3ColdTier tier = faultyTier(bucket, lose)) {
            TierException e = assertThrows(TierException.class, () ->
                    tier.put(id("big"), ColdMetadata.empty(), new ByteArrayInputStream(data), data.length));
            assertEquals(TierException.Reason.UNAVAILABLE, e.reason());
            assertEquals(S3ColdTier.MAX_ATTEMPTS, lose.lost(), "every create reached the store, no answer came back");
        }
        assertEquals(List.of(), incompleteUploads(bucket));
    }

    @Test
    void aPutThatFailsMidUploadAbortsItsUploadEvenWhenTheFirstAbortFails() {
        String bucket = "cold-failed-put";
        FailBeforeSending abortFails = new FailBeforeSending(AbortMultipartUploadRequest.class, 1);
        byte[] data = bytes(43, MULTIPART_SIZE);
        try (S3ColdTier tier = faultyTier(bucket, abortFails)) {
            // The first part goes up, then the source fails: the upload exists and must go.
            int cut = (int) S3ColdTierConfig.MIN_PART_SIZE + 100;
            assertThrows(TierException.class, () ->
                    tier.put(id("big"), ColdMetadata.empty(), failingAfter(data, cut), data.length));
            assertEquals(1, abortFails.failed(), "the fault happened: the first abort was not sent");
        }
        assertEquals(List.of(), incompleteUploads(bucket));
    }

    @Test
    void aStoreAnswering501NotImplementedIsRejectedAtOnceNotRetried() {
        UnsupportedHeaderOnPut unsupported = new UnsupportedHeaderOnPut();
        byte[] data = bytes(44, 100);
        try (S3ColdTier tier = faultyTier("cold-not-implemented", unsupported)) {
            TierException e = assertThrows(TierException.class, () ->
                    tier.put(id("small"), ColdMetadata.empty(), new ByteArrayInputStream(data), data.length));
            assertEquals(TierException.Reason.REJECTED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("501"), e.getMessage());
            assertEquals(1, unsupported.sent.get(), "a permanent refusal is not retried");
        }
    }

    @Test
    void permanentServerErrorsAreRejectedAndTransientOnesUnavailable() {
        record Case(int status, String code, TierException.Reason reason) {
        }
        for (Case c : List.of(new Case(501, "NotImplemented", TierException.Reason.REJECTED),
                new Case(501, "", TierException.Reason.REJECTED),
                new Case(505, "HttpVersionNotSupported", TierException.Reason.REJECTED),
                new Case(500, "InternalError", TierException.Reason.UNAVAILABLE),
                new Case(503, "SlowDown", TierException.Reason.UNAVAILABLE),
                new Case(503, "ServiceUnavailable", TierException.Reason.UNAVAILABLE),
                new Case(429, "TooManyRequests", TierException.Reason.UNAVAILABLE),
                new Case(403, "AccessDenied", TierException.Reason.REJECTED))) {
            S3Exception e = (S3Exception) S3Exception.builder().statusCode(c.status())
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode(c.code()).build()).build();
            assertEquals(c.reason(), S3ColdTier.translate("k", e).reason(), c.toString());
        }
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
