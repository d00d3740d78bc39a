package io.strata.tiering.cold;

import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdObjectInfo;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierException;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A cold tier in a bucket of any S3-compatible store, through the AWS SDK v2.
 *
 * <p>Layout: version {@code v} of key {@code a/b.txt} in Strata bucket {@code photos} is the object
 * {@code PREFIX photos/a/b.txt~v}, with its content type and user metadata as the object's own, so
 * {@code aws s3 cp} or boto3 can read it without Strata; beside it {@code PREFIX photos/a/b.txt~v~meta}
 * holds the {@link ColdSidecar} with everything S3 cannot keep natively. Each part's (or the single
 * PUT's) MD5 ETag answered by the store is checked against the bytes sent. Version ids never contain {@code ~}, so the
 * last {@code ~} of a cold key always separates the version id. Objects up to the part size go up
 * in one PUT, larger ones as a multipart upload; either way the upload holds exactly one buffer of
 * the part size, which also makes every request replayable and so retryable.
 *
 * <p>Every call leaving the process is wrapped by a jittered exponential retry around a circuit
 * breaker that opens on {@code UNAVAILABLE} failures, so a tier that is down fails fast instead of
 * tying up callers. The SDK's own retries are off to keep one retry policy. Every call is
 * idempotent but CreateMultipartUpload, which starts a new upload each time: a put aborts the
 * uploads its retried creates left behind, and the upload of a put that fails.
 *
 * <p>Thread-safe. The creator closes it, which closes the S3 client. The tier starts no thread of its own;
 * creating it builds the SDK client, whose connection pool joins the SDK's idle-connection reaper (one
 * daemon thread per process, shared by every SDK client, ended by the SDK when the last one closes).
 */
public final class S3ColdTier implements ColdTier {

    private static final Logger LOG = LoggerFactory.getLogger(S3ColdTier.class);

    /** Attempts per call, the first included. */
    static final int MAX_ATTEMPTS = 4;
    /** First retry backoff; doubles per attempt, randomised by half either way. */
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    /** Calls in flight to one tier at most. */
    static final int MAX_CONCURRENT_CALLS = 16;
    /** Limit of one HTTP attempt (connect, send one part, first byte of a response). */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);

    private final S3ColdTierConfig config;
    private final S3Client s3;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;

    private S3ColdTier(S3ColdTierConfig config, S3Client s3) {
        this.config = config;
        this.s3 = s3;
        String name = "cold-tier-" + config.bucket();
        this.retry = Retry.of(name, RetryConfig.custom()
                .maxAttempts(MAX_ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(INITIAL_BACKOFF, 2.0, 0.5))
                .retryOnException(S3ColdTier::isTransient)
                .build());
        this.retry.getEventPublisher().onRetry(e -> LOG.warn("cold tier call retried: bucket {} attempt {}: {}",
                config.bucket(), e.getNumberOfRetryAttempts(), e.getLastThrowable().getMessage()));
        this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .recordException(S3ColdTier::isTransient)
                .build());
        // At most this many calls to the tier at once; more wait briefly, then fail as UNAVAILABLE,
        // so a slow tier cannot take every thread of the gateway with it.
        this.bulkhead = Bulkhead.of(name, BulkheadConfig.custom()
                .maxConcurrentCalls(MAX_CONCURRENT_CALLS)
                .maxWaitDuration(Duration.ofSeconds(2))
                .build());
    }

    /** Creates a tier and its S3 client from {@code config}; nothing is contacted yet. */
    public static S3ColdTier create(S3ColdTierConfig config) {
        return create(config, List.of());
    }

    /** As {@link #create(S3ColdTierConfig)}, with SDK interceptors: tests inject faults in the client path. */
    static S3ColdTier create(S3ColdTierConfig config, List<ExecutionInterceptor> interceptors) {
        S3Client client = S3Client.builder()
                .endpointOverride(config.endpoint())
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKey(), config.secretKey())))
                .forcePathStyle(config.pathStyle())
                // Only the checksums S3 requires: third-party servers do not all accept the
                // aws-chunked trailing checksums newer SDKs send by default.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .executionInterceptors(interceptors))
                // The Apache HttpClient 5 client: the SDK deprecates its HttpClient 4 one (ApacheHttpClient).
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(ATTEMPT_TIMEOUT)
                        .maxConnections(MAX_CONCURRENT_CALLS * 2))
                .build();
        return new S3ColdTier(config, client);
    }

    /** The cold object key of {@code id}, as documented in the class comment. */
    String objectKey(ColdObjectId id) {
        return config.prefix() + id.bucket() + "/" + id.key() + "~" + id.versionId();
    }

    @Override
    public void put(ColdObjectId id, ColdMetadata metadata, InputStream data, long length) {
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        String key = objectKey(id);
        // The sidecar goes first, so a data object always has its record beside it.
        byte[] sidecar = ColdSidecar.encode(length, metadata).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        call(id, () -> s3.putObject(b -> b.bucket(config.bucket()).key(key + ColdSidecar.SUFFIX)
                .contentType("text/plain"), body(sidecar, sidecar.length)));
        byte[] buffer = new byte[(int) Math.min(config.partSize(), length)];
        try {
            if (length <= config.partSize()) {
                int n = (int) length;
                TierStreams.readFully(data, buffer, n, length, 0, id);
                TierStreams.requireEnd(data, length, id);
                String etag = call(id, () -> s3.putObject(b -> {
                    b.bucket(config.bucket()).key(key).contentType(metadata.contentType())
                            .metadata(metadata.userMetadata());
                    config.storageClass().ifPresent(b::storageClass);
                }, body(buffer, n))).eTag();
                verifyEtag(id, etag, buffer, n);
            } else {
                putMultipart(id, key, metadata, data, length, buffer);
            }
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, id + ": cannot read the data to upload", e);
        }
    }

    /**
     * Checks the MD5 ETag the store answered for the bytes it received. Stores that answer no MD5
     * (encrypted buckets answer something else) are trusted; the gateway verifies block CRCs on reads.
     */
    private static void verifyEtag(ColdObjectId id, String etag, byte[] buffer, int n) {
        String answered = etag == null ? "" : etag.replace("\"", "");
        if (!answered.matches("[0-9a-fA-F]{32}")) return;
        String expected;
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            md5.update(buffer, 0, n);
            expected = java.util.HexFormat.of().formatHex(md5.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!expected.equalsIgnoreCase(answered)) {
            throw new TierException(TierException.Reason.CORRUPT, id + ": the cold store received other bytes (ETag "
                    + answered + ", sent MD5 " + expected + ")");
        }
    }

    private void putMultipart(ColdObjectId id, String key, ColdMetadata metadata, InputStream data, long length,
                              byte[] buffer) throws IOException {
        // A create whose answer was lost (reset connection, timeout) is retried, and the store then
        // holds an upload nobody knows the id of; S3 keeps it, and bills its parts, until someone
        // aborts it. Every cold key is unique to one move (a random suffix, never reused), so any
        // other upload of this exact key is one of ours: when more than one create was sent, or one
        // was sent and no id came back, the in-progress uploads of the key are listed and aborted.
        AtomicInteger createAttempts = new AtomicInteger();
        String uploadId = null;
        boolean completed = false;
        try {
            uploadId = call(id, () -> {
                createAttempts.incrementAndGet();
                return s3.createMultipartUpload(b -> {
                    b.bucket(config.bucket()).key(key).contentType(metadata.contentType()).metadata(metadata.userMetadata());
                    config.storageClass().ifPresent(b::storageClass);
                });
            }).uploadId();
            String upload = uploadId;
            List<CompletedPart> parts = new ArrayList<>();
            long sent = 0;
            for (int partNumber = 1; sent < length; partNumber++) {
                int n = (int) Math.min(buffer.length, length - sent);
                TierStreams.readFully(data, buffer, n, length, sent, id);
                int number = partNumber;
                String etag = call(id, () -> s3.uploadPart(b -> b.bucket(config.bucket()).key(key)
                        .uploadId(upload).partNumber(number).contentLength((long) n), body(buffer, n))).eTag();
                verifyEtag(id, etag, buffer, n);
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                sent += n;
            }
            TierStreams.requireEnd(data, length, id);
            call(id, () -> s3.completeMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(upload)
                    .multipartUpload(m -> m.parts(parts))));
            completed = true;
        } finally {
            if (!completed && uploadId != null) abortQuietly(id, key, uploadId);
            if (createAttempts.get() > 1 || (uploadId == null && createAttempts.get() > 0)) abortStrays(id, key);
        }
    }

    /** Aborts {@code uploadId}, retried like every call; a failure is logged, the caller's outcome stands. */
    private void abortQuietly(ColdObjectId id, String key, String uploadId) {
        try {
            abort(id, key, uploadId);
        } catch (TierException e) {
            LOG.warn("cannot abort multipart upload {} of {}: {}", uploadId, id, e.getMessage());
        }
    }

    private void abort(ColdObjectId id, String key, String uploadId) {
        try {
            call(id, () -> s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId)));
        } catch (TierException e) {
            // NoSuchUpload: already aborted (an earlier attempt whose answer was lost) or completed.
            if (e.reason() != TierException.Reason.NOT_FOUND) throw e;
        }
    }

    /** Pages of in-progress uploads read per sweep; 1,000 uploads each, far more than retries can make. */
    private static final int MAX_STRAY_PAGES = 10;

    /**
     * Aborts every in-progress multipart upload of exactly {@code key}: those of creates whose answer
     * was lost. Best effort: a failure is logged (S3 then keeps the upload until the bucket's
     * AbortIncompleteMultipartUpload rule, if any, removes it).
     */
    private void abortStrays(ColdObjectId id, String key) {
        try {
            String keyMarker = null;
            String uploadIdMarker = null;
            for (int page = 0; page < MAX_STRAY_PAGES; page++) {
                String km = keyMarker;
                String um = uploadIdMarker;
                ListMultipartUploadsResponse r = call(id, () -> s3.listMultipartUploads(b -> {
                    b.bucket(config.bucket()).prefix(key);
                    if (km != null) b.keyMarker(km).uploadIdMarker(um);
                }));
                for (MultipartUpload u : r.uploads()) {
                    // The prefix also matches longer keys: only this exact key is ours.
                    if (!key.equals(u.key())) continue;
                    abort(id, key, u.uploadId());
                    LOG.info("aborted a stray multipart upload of {}: upload {}", id, u.uploadId());
                }
                if (!Boolean.TRUE.equals(r.isTruncated())) return;
                keyMarker = r.nextKeyMarker();
                uploadIdMarker = r.nextUploadIdMarker();
            }
            LOG.warn("stray multipart uploads of {}: more than {} pages listed, the rest left", id, MAX_STRAY_PAGES);
        } catch (TierException e) {
            LOG.warn("cannot abort the stray multipart uploads of {}: {}", id, e.getMessage());
        }
    }

    private static RequestBody body(byte[] buffer, int n) {
        // A fresh stream over the same bytes per attempt: replayable for retries and signing, no copy.
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, n), n,
                "application/octet-stream");
    }

    @Override
    public InputStream get(ColdObjectId id, ByteRange range) {
        String key = objectKey(id);
        try {
            return call(id, () -> s3.getObject(b -> {
                b.bucket(config.bucket()).key(key);
                if (!range.isAll()) {
                    b.range("bytes=" + range.first() + "-" + (range.last() == Long.MAX_VALUE ? "" : range.last()));
                }
            }));
        } catch (TierException e) {
            // S3 answers 416 to any range of an empty object; the contract returns no bytes instead.
            if (e.reason() == TierException.Reason.INVALID_RANGE && stat(id).size() == 0) {
                return InputStream.nullInputStream();
            }
            throw e;
        }
    }

    @Override
    public ColdObjectInfo stat(ColdObjectId id) {
        String key = objectKey(id);
        HeadObjectResponse head = call(id, () -> s3.headObject(b -> b.bucket(config.bucket()).key(key)));
        try {
            byte[] text = call(id, () -> s3.getObjectAsBytes(b -> b.bucket(config.bucket())
                    .key(key + ColdSidecar.SUFFIX))).asByteArray();
            ColdObjectInfo info = ColdSidecar.decode(new String(text, java.nio.charset.StandardCharsets.UTF_8), id);
            if (info.size() != head.contentLength()) {
                throw new TierException(TierException.Reason.CORRUPT,
                        id + ": object holds " + head.contentLength() + " bytes, its sidecar says " + info.size());
            }
            return info;
        } catch (TierException e) {
            if (e.reason() != TierException.Reason.NOT_FOUND) throw e;
            // Data put there by someone else, without a sidecar: what the object itself says.
            String contentType = head.contentType() == null || head.contentType().isEmpty()
                    ? ColdMetadata.DEFAULT_CONTENT_TYPE : head.contentType();
            return new ColdObjectInfo(head.contentLength(), new ColdMetadata(contentType, head.metadata()));
        }
    }

    @Override
    public void delete(ColdObjectId id) {
        String key = objectKey(id);
        // Data first: without it the version is gone even if the sidecar delete fails; a retry removes both.
        for (String k : List.of(key, key + ColdSidecar.SUFFIX)) {
            try {
                call(id, () -> s3.deleteObject(b -> b.bucket(config.bucket()).key(k)));
            } catch (TierException e) {
                // S3 answers 204 for absent keys, but some compatible stores say 404.
                if (e.reason() != TierException.Reason.NOT_FOUND) throw e;
            }
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private <T> T call(ColdObjectId id, Supplier<T> request) {
        Supplier<T> translated = () -> {
            try {
                return request.get();
            } catch (SdkException e) {
                throw translate(id, e);
            }
        };
        try {
            return Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker,
                    Bulkhead.decorateSupplier(bulkhead, translated))).get();
        } catch (BulkheadFullException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE,
                    id + ": too many calls in flight to cold tier bucket " + config.bucket(), e);
        } catch (CallNotPermittedException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE,
                    id + ": circuit open for cold tier bucket " + config.bucket(), e);
        }
    }

    private static boolean isTransient(Throwable t) {
        return t instanceof TierException e && e.reason() == TierException.Reason.UNAVAILABLE;
    }

    static TierException translate(Object subject, SdkException e) {
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            String message = subject + ": " + status + " " + code;
            if (status == 404 && !"NoSuchBucket".equals(code)) {
                return new TierException(TierException.Reason.NOT_FOUND, message, e);
            }
            if (status == 416) return new TierException(TierException.Reason.INVALID_RANGE, message, e);
            // 501 NotImplemented (a feature, header or operation the store lacks, as s3proxy answers
            // x-amz-checksum-* headers) and 505 HTTP Version Not Supported are the store's permanent
            // answer: retrying cannot help, and counting them as transient would also open the
            // circuit breaker for calls the store does serve.
            if (status == 501 || status == 505) return new TierException(TierException.Reason.REJECTED, message, e);
            if (status >= 500 || status == 429 || "RequestTimeout".equals(code) || "SlowDown".equals(code)) {
                return new TierException(TierException.Reason.UNAVAILABLE, message, e);
            }
            return new TierException(TierException.Reason.REJECTED, message, e);
        }
        if (e instanceof SdkClientException) {
            return new TierException(TierException.Reason.UNAVAILABLE, subject + ": " + e.getMessage(), e);
        }
        return new TierException(TierException.Reason.UNAVAILABLE, subject + ": " + e.getMessage(), e);
    }
}
