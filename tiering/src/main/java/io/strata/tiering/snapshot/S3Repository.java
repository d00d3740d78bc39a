package io.strata.tiering.snapshot;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A repository under a prefix of any S3-compatible bucket, through the AWS SDK v2: the object at
 * relative path {@code p} is {@code PREFIX p}. Creation is {@code If-None-Match: *} (preceded by a
 * HEAD, which skips the upload of an object already there even on stores that ignore the
 * condition); a single-part object goes up in one PUT with its Content-MD5 and full-object
 * checksum header, a multipart one as a multipart upload with exactly the declared part sizes and
 * each part's checksum, so the store computes the original ETag and checksums and refuses bytes
 * damaged in flight. Bodies stream from the {@link SnapshotRepository.Source}, reopened per attempt:
 * nothing is buffered whole.
 *
 * <p>As the cold tier: the SDK's own retries are off and its checksum calculation is limited to
 * what S3 requires (third-party stores do not all accept the aws-chunked trailers newer SDKs send by
 * default); one jittered exponential Resilience4j retry wraps every idempotent call that fails
 * transiently (connect, 5xx, 429, SlowDown). A multipart upload that fails is aborted.
 * Thread-safe; the creator closes it, which closes the client.
 */
public final class S3Repository implements SnapshotRepository {
    private static final Logger LOG = LoggerFactory.getLogger(S3Repository.class);
    static final int MAX_ATTEMPTS = 4;
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(60);

    private final S3ColdTierConfig config;
    private final S3Client s3;
    private final Retry retry;
    /** The object the checksum header probe writes and deletes; readers ignore paths the format does not name. */
    static final String PROBE = "strata-snap-probe";
    /** CRC32 of no bytes, base64. */
    private static final String EMPTY_CRC32 = "AAAAAA==";
    /** Whether the store accepts x-amz-checksum-* headers; null until probed. */
    private volatile Boolean checksumHeaders;

    private S3Repository(S3ColdTierConfig config, S3Client s3) {
        this.config = config;
        this.s3 = s3;
        this.retry = Retry.of("snapshot-repo-" + config.bucket(), RetryConfig.custom()
                .maxAttempts(MAX_ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(INITIAL_BACKOFF, 2.0, 0.5))
                .retryOnException(t -> t instanceof SnapshotException e && e.reason() == Reason.UNAVAILABLE)
                .build());
        this.retry.getEventPublisher().onRetry(e -> LOG.warn("snapshot repository call retried: bucket {} attempt {}: {}",
                config.bucket(), e.getNumberOfRetryAttempts(), e.getLastThrowable().getMessage()));
    }

    /**
     * A repository in {@code config}'s bucket under its prefix (the part size and storage class are
     * not used: parts follow each object's own sizes). Nothing is contacted yet.
     */
    public static S3Repository create(S3ColdTierConfig config) {
        S3Client client = S3Client.builder()
                .endpointOverride(config.endpoint())
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKey(), config.secretKey())))
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT))
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(ATTEMPT_TIMEOUT)
                        .maxConnections(32))
                .build();
        return new S3Repository(config, client);
    }

    private String key(String path) {
        return config.prefix() + path;
    }

    @Override
    public Stored putIfAbsent(String path, Source source, Spec spec) {
        if (size(path).isPresent()) return new Stored(false, "");
        return create(path, source, spec);
    }

    /** Skips the HEAD: If-None-Match still keeps an object created since the caller's check. */
    @Override
    public Stored putIfAbsentChecked(String path, Source source, Spec spec) {
        return create(path, source, spec);
    }

    private Stored create(String path, Source source, Spec spec) {
        String key = key(path);
        boolean withChecksums = (!spec.checksums().isEmpty() || !spec.partChecksums().isEmpty()) && checksumHeadersAccepted();
        try {
            return put(path, key, source, spec, withChecksums);
        } catch (SnapshotException e) {
            if (!withChecksums || !(e.getCause() instanceof S3Exception s) || s.statusCode() != 501) throw e;
            // Stores without flexible checksums (s3proxy 2.6 answers 501 NotImplemented to any
            // x-amz-checksum-* header) still get Content-MD5 on single PUTs, and the ETag each
            // answers is compared with the version's by the exporter: the bytes are checked in
            // flight either way. Asked once per repository, then the headers are left off.
            checksumHeaders = false;
            LOG.warn("snapshot repository {} does not implement checksum headers ({}); sending Content-MD5 only",
                    location(), e.getMessage());
            return put(path, key, source, spec, false);
        }
    }

    /**
     * Whether the store accepts x-amz-checksum-* headers, found once with an empty probe object
     * (created, then deleted). A store that refuses them may answer 501 before reading a large
     * body and close the connection, which the client sees as a broken pipe, not as the 501: the
     * probe's empty body gets the answer through.
     */
    private boolean checksumHeadersAccepted() {
        Boolean known = checksumHeaders;
        if (known != null) return known;
        try {
            call(PROBE, () -> s3.putObject(b -> b.bucket(config.bucket()).key(key(PROBE)).contentLength(0L)
                    .checksumCRC32(EMPTY_CRC32), RequestBody.empty()));
            delete(PROBE);
            known = true;
        } catch (SnapshotException e) {
            if (!(e.getCause() instanceof S3Exception s) || s.statusCode() != 501) throw e;
            LOG.warn("snapshot repository {} does not implement checksum headers ({}); sending Content-MD5 only",
                    location(), e.getMessage());
            known = false;
        }
        checksumHeaders = known;
        return known;
    }

    private Stored put(String path, String key, Source source, Spec spec, boolean withChecksums) {
        try {
            String etag = spec.partSizes().isEmpty() ? putSingle(path, key, source, spec, withChecksums)
                    : putMultipart(path, key, source, spec, withChecksums);
            return new Stored(true, etag == null ? "" : etag.replace("\"", ""));
        } catch (SnapshotException e) {
            // 412: created meanwhile by another writer (immutable: theirs is ours).
            if (e.getCause() instanceof S3Exception s && s.statusCode() == 412) return new Stored(false, "");
            throw e;
        }
    }

    private String putSingle(String path, String key, Source source, Spec spec, boolean withChecksums) {
        long n = spec.length();
        return call(path, () -> s3.putObject(b -> {
            b.bucket(config.bucket()).key(key).contentLength(n).contentType(spec.contentType())
                    .metadata(spec.userMetadata()).ifNoneMatch("*");
            spec.contentMd5().ifPresent(md5 -> b.contentMD5(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5))));
            if (withChecksums) checksum(spec.checksums(), false).ifPresent(c -> {
                switch (c.getKey()) {
                    case "CRC32" -> b.checksumCRC32(c.getValue());
                    case "CRC32C" -> b.checksumCRC32C(c.getValue());
                    case "CRC64NVME" -> b.checksumCRC64NVME(c.getValue());
                    case "SHA1" -> b.checksumSHA1(c.getValue());
                    case "SHA256" -> b.checksumSHA256(c.getValue());
                    default -> { }
                }
            });
        }, RequestBody.fromContentProvider(() -> source.open(0, n), n, spec.contentType()))).eTag();
    }

    /** The first known checksum (S3 takes one per request), composite ones only when {@code composite}. */
    private static Optional<Map.Entry<String, String>> checksum(Map<String, String> checksums, boolean composite) {
        for (var e : new TreeMap<>(checksums).entrySet()) {
            boolean isComposite = e.getValue().matches(".*-[0-9]+");
            if (isComposite == composite && List.of("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256").contains(e.getKey())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private String putMultipart(String path, String key, Source source, Spec spec, boolean withChecksums) {
        // CreateMultipartUpload is not idempotent: a retried create whose first answer was lost
        // leaves an upload nobody knows. It is retried all the same (a pooled connection the store
        // closed fails the first attempt, as s3proxy's do after a 501), and when it took more than
        // one attempt, the other uploads of this key are aborted afterwards: data paths are unique
        // to one object, so any other upload of the key is one of ours.
        java.util.concurrent.atomic.AtomicInteger creates = new java.util.concurrent.atomic.AtomicInteger();
        String uploadId = call(path, () -> {
            creates.incrementAndGet();
            return s3.createMultipartUpload(b -> {
                b.bucket(config.bucket()).key(key).contentType(spec.contentType()).metadata(spec.userMetadata());
                if (withChecksums) partAlgorithm(spec).ifPresent(b::checksumAlgorithm);
            });
        }).uploadId();
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long offset = 0;
            for (int i = 0; i < spec.partSizes().size(); i++) {
                long size = spec.partSizes().get(i);
                long from = offset;
                int number = i + 1;
                Map<String, String> partCk = !withChecksums || spec.partChecksums().isEmpty() ? Map.of() : spec.partChecksums().get(i);
                var answer = call(path, () -> s3.uploadPart(b -> {
                    b.bucket(config.bucket()).key(key).uploadId(uploadId).partNumber(number).contentLength(size);
                    partCk.forEach((alg, v) -> setPartChecksum(b, alg, v));
                }, RequestBody.fromContentProvider(() -> source.open(from, size), size, spec.contentType())));
                CompletedPart.Builder cp = CompletedPart.builder().partNumber(number).eTag(answer.eTag());
                if (answer.checksumCRC32() != null) cp.checksumCRC32(answer.checksumCRC32());
                if (answer.checksumCRC32C() != null) cp.checksumCRC32C(answer.checksumCRC32C());
                if (answer.checksumCRC64NVME() != null) cp.checksumCRC64NVME(answer.checksumCRC64NVME());
                if (answer.checksumSHA1() != null) cp.checksumSHA1(answer.checksumSHA1());
                if (answer.checksumSHA256() != null) cp.checksumSHA256(answer.checksumSHA256());
                parts.add(cp.build());
                offset += size;
            }
            String etag = call(path, () -> s3.completeMultipartUpload(b -> b.bucket(config.bucket()).key(key)
                    .uploadId(uploadId).ifNoneMatch("*").multipartUpload(m -> m.parts(parts)))).eTag();
            completed = true;
            return etag;
        } finally {
            if (!completed) abortQuietly(key, uploadId);
            if (creates.get() > 1) abortStrays(key, uploadId);
        }
    }

    private void abortQuietly(String key, String uploadId) {
        try {
            call(key, () -> s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId)));
        } catch (SnapshotException e) {
            if (e.reason() != Reason.NOT_FOUND) LOG.warn("cannot abort multipart upload {} of {}: {}", uploadId, key, e.getMessage());
        }
    }

    /** Aborts the uploads of exactly {@code key} other than {@code keep} (one page: retries make a handful). */
    private void abortStrays(String key, String keep) {
        try {
            var page = call(key, () -> s3.listMultipartUploads(b -> b.bucket(config.bucket()).prefix(key)));
            for (var u : page.uploads()) {
                if (key.equals(u.key()) && !keep.equals(u.uploadId())) abortQuietly(key, u.uploadId());
            }
        } catch (SnapshotException e) {
            LOG.warn("cannot list the stray multipart uploads of {}: {}", key, e.getMessage());
        }
    }

    private static Optional<String> partAlgorithm(Spec spec) {
        if (spec.partChecksums().isEmpty()) return Optional.empty();
        return spec.partChecksums().getFirst().keySet().stream().sorted().findFirst();
    }

    private static void setPartChecksum(software.amazon.awssdk.services.s3.model.UploadPartRequest.Builder b,
                                        String algorithm, String value) {
        switch (algorithm) {
            case "CRC32" -> b.checksumCRC32(value);
            case "CRC32C" -> b.checksumCRC32C(value);
            case "CRC64NVME" -> b.checksumCRC64NVME(value);
            case "SHA1" -> b.checksumSHA1(value);
            case "SHA256" -> b.checksumSHA256(value);
            default -> { }
        }
    }

    @Override
    public InputStream get(String path, long offset, long length) {
        if (length == 0) return InputStream.nullInputStream();
        return call(path, () -> s3.getObject(b -> {
            b.bucket(config.bucket()).key(key(path));
            if (offset > 0 || length > 0) b.range("bytes=" + offset + "-" + (length < 0 ? "" : offset + length - 1));
        }));
    }

    @Override
    public Optional<Long> size(String path) {
        try {
            return Optional.of(call(path, () -> s3.headObject(b -> b.bucket(config.bucket()).key(key(path))))
                    .contentLength());
        } catch (SnapshotException e) {
            if (e.reason() == Reason.NOT_FOUND) return Optional.empty();
            throw e;
        }
    }

    @Override
    public void list(String prefix, Consumer<String> visitor) {
        String continuation = null;
        do {
            String token = continuation;
            var page = call(prefix, () -> s3.listObjectsV2(b -> {
                b.bucket(config.bucket()).prefix(key(prefix));
                if (token != null) b.continuationToken(token);
            }));
            for (S3Object o : page.contents()) visitor.accept(o.key().substring(config.prefix().length()));
            continuation = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (continuation != null);
    }

    @Override
    public void delete(String path) {
        try {
            call(path, () -> s3.deleteObject(b -> b.bucket(config.bucket()).key(key(path))));
        } catch (SnapshotException e) {
            if (e.reason() != Reason.NOT_FOUND) throw e; // some stores answer 404 for an absent key
        }
    }

    /** Deletes the object, then aborts every multipart upload of exactly its key (a killed create's). */
    @Override
    public void abandon(String path) {
        delete(path);
        String key = key(path);
        String keyMarker = null;
        String uploadMarker = null;
        do {
            String km = keyMarker;
            String um = uploadMarker;
            var page = call(path, () -> s3.listMultipartUploads(b -> {
                b.bucket(config.bucket()).prefix(key);
                if (km != null) b.keyMarker(km).uploadIdMarker(um);
            }));
            for (var u : page.uploads()) {
                if (key.equals(u.key())) abortQuietly(key, u.uploadId());
            }
            boolean more = Boolean.TRUE.equals(page.isTruncated());
            keyMarker = more ? page.nextKeyMarker() : null;
            uploadMarker = more ? page.nextUploadIdMarker() : null;
        } while (keyMarker != null);
    }

    @Override
    public String location() {
        URI e = config.endpoint();
        String prefix = config.prefix().endsWith("/") ? config.prefix().substring(0, config.prefix().length() - 1)
                : config.prefix();
        return "strata+" + e.getScheme() + "://" + e.getRawAuthority() + "/" + config.bucket()
                + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    @Override
    public void close() {
        s3.close();
    }

    private <T> T call(String subject, Supplier<T> request) {
        return Retry.decorateSupplier(retry, () -> translate(subject, request)).get();
    }

    private static <T> T translate(String subject, Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw translate(subject, e);
        }
    }

    static SnapshotException translate(String subject, SdkException e) {
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            String message = subject + ": " + status + " " + code;
            if (status == 404 && !"NoSuchBucket".equals(code)) return new SnapshotException(Reason.NOT_FOUND, message, e);
            if ("BadDigest".equals(code) || "InvalidDigest".equals(code) || "XAmzContentChecksumMismatch".equals(code)) {
                return new SnapshotException(Reason.CORRUPT, message + ": the store received other bytes", e);
            }
            // 501 NotImplemented (a feature the store lacks) and 505 are permanent answers: not retried.
            if (status == 501 || status == 505) return new SnapshotException(Reason.REJECTED, message, e);
            if (status >= 500 || status == 429 || "RequestTimeout".equals(code) || "SlowDown".equals(code)) {
                return new SnapshotException(Reason.UNAVAILABLE, message, e);
            }
            return new SnapshotException(Reason.REJECTED, message, e);
        }
        if (e instanceof SdkClientException) return new SnapshotException(Reason.UNAVAILABLE, subject + ": " + e.getMessage(), e);
        return new SnapshotException(Reason.UNAVAILABLE, subject + ": " + e.getMessage(), e);
    }
}
