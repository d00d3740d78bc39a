package io.strata.tiering.replication;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Sends versions and delete markers to one replication target, any S3 service, with the AWS SDK: a version
 * as one PUT, or as a multipart upload with the source's part sizes, so the target's ETag is the source's;
 * with its Content-Type, stored headers, user metadata, tags and flexible checksums (whole-object ones on a
 * PUT, per-part ones on a multipart upload), plus the source's identity in user metadata
 * ({@link Replica#SOURCE_VERSION_ID}, {@link Replica#SOURCE_MTIME}); to a target that answers 501 to tags
 * or checksum headers, without those (logged once at WARN). A delete marker is a DELETE without
 * version id, which makes one at a versioned target. To another Strata ({@link ReplicationTarget.Kind#STRATA}),
 * {@link #putReplica} sends one PUT with the {@link StrataReplicaHeaders}, which keep the source's identity,
 * and {@link #putTags} a tag change of the same version id.
 *
 * <p>Each call goes through a jittered retry of a few attempts around a circuit breaker, both
 * Resilience4j and one per target: a target that is down costs a few quick failures, then the breaker opens
 * and calls fail at once as {@link ReplicationException.Reason#TRANSIENT} until it half-opens. Retrying for
 * longer is the caller's (its durable retry set), so no thread waits on a down target. Every call is
 * idempotent (a PUT of the same bytes again) except CreateMultipartUpload; an upload that fails is aborted.
 *
 * <p>Thread-safe. The creator closes it, which closes the S3 client.
 */
public final class S3ReplicaSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3ReplicaSender.class);

    /** Attempts per call, the first included. */
    static final int MAX_ATTEMPTS = 3;
    /** First retry backoff; doubles per attempt, randomised by half either way. */
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    /** Limit of one HTTP attempt. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    /** How long an open circuit refuses calls before letting a few through to probe the target. */
    static final Duration OPEN_FOR = Duration.ofSeconds(5);
    private static final Pattern HEX_MD5 = Pattern.compile("[0-9a-f]{32}");

    /** How the target looks from here, for metrics and {@code strata replicate status}. */
    public enum State { OK, BACKOFF, OPEN }

    private final ReplicationTarget target;
    private final S3Client s3;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private volatile boolean lastCallFailed;
    /** The target answered 501 to tags or checksum headers: replicas go without them. */
    private volatile boolean plain;
    /**
     * The target bucket's versioning is known to be Enabled, or cannot be read (501, 403: a third-party
     * server without versioning, credentials without s3:GetBucketVersioning), so it is not asked again.
     */
    private volatile boolean versioningSettled;

    private S3ReplicaSender(ReplicationTarget target, S3Client s3) {
        this.target = target;
        this.s3 = s3;
        String name = "replication-" + target.name();
        this.retry = Retry.of(name, RetryConfig.custom()
                .maxAttempts(MAX_ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(INITIAL_BACKOFF, 2.0, 0.5))
                .retryOnException(S3ReplicaSender::isTransient)
                .build());
        this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .recordException(S3ReplicaSender::isTransient)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .waitDurationInOpenState(OPEN_FOR)
                .build());
    }

    /** A sender to {@code target}; nothing is contacted yet. */
    public static S3ReplicaSender create(ReplicationTarget target) {
        return create(target, List.of());
    }

    /** As {@link #create(ReplicationTarget)}, with SDK interceptors: tests inject faults in the client path. */
    static S3ReplicaSender create(ReplicationTarget target, List<ExecutionInterceptor> interceptors) {
        var config = target.s3();
        S3Client client = S3Client.builder()
                .endpointOverride(config.endpoint())
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKey(), config.secretKey())))
                .forcePathStyle(config.pathStyle())
                // Only the checksums the source has are sent, as explicit headers: third-party servers do
                // not all accept the aws-chunked trailing checksums newer SDKs add by default.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .executionInterceptors(interceptors))
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(ATTEMPT_TIMEOUT))
                .build();
        return new S3ReplicaSender(target, client);
    }

    /**
     * Whether a call may go now: the breaker is closed or half-open, or has been open for its wait. An open
     * breaker moves to half-open only when a permission is asked for after the wait, so this asks (and gives
     * the permission back): an owner that checked {@link #state()} alone before each call would never call
     * again, and a target that came back would wait forever.
     */
    public boolean permitsCalls() {
        CircuitBreaker.State s = breaker.getState();
        if (s == CircuitBreaker.State.OPEN) {
            if (!breaker.tryAcquirePermission()) return false;
            breaker.releasePermission();
            return true;
        }
        return s != CircuitBreaker.State.FORCED_OPEN;
    }

    /** The target's state: OPEN while the breaker refuses calls, BACKOFF after a failed call, else OK. */
    public State state() {
        return switch (breaker.getState()) {
            case OPEN, FORCED_OPEN, HALF_OPEN -> State.OPEN;
            default -> lastCallFailed ? State.BACKOFF : State.OK;
        };
    }

    /**
     * Writes {@code replica} at the target with the bytes {@code data} opens.
     *
     * @throws ReplicationException TRANSIENT or PERMANENT, see the class comment
     */
    public void put(Replica replica, ReplicaData data) {
        requireVersioning();
        boolean extras = !plain && (!replica.tags().isEmpty() || !replica.checksums().isEmpty()
                || !replica.partChecksums().isEmpty());
        try {
            send(replica, data, extras);
        } catch (ReplicationException e) {
            if (!extras || !(e.getCause() instanceof S3Exception s3) || s3.statusCode() != 501) throw e;
            // Third-party servers (s3proxy among them) answer 501 NotImplemented to x-amz-tagging and
            // x-amz-checksum-* headers. The bytes are still checked (Content-MD5, the ETag), so the
            // replica goes without them, and from then on for this target, said once at WARN.
            plain = true;
            LOG.warn("replication target {} does not implement object tags or checksum headers ({}): "
                    + "replicas are sent without them", target.name(), e.getMessage());
            send(replica, data, false);
        }
    }

    /**
     * Writes {@code replica} at a target that is another Strata ({@link ReplicationTarget.Kind#STRATA}): one
     * PUT streaming the whole body (a delete marker: an empty one) with the {@link StrataReplicaHeaders},
     * which the target keeps as the version's identity instead of minting its own (same version id, time,
     * ETag, part sizes, checksums), verifying the bytes against the ETag and checksums first. The same PUT
     * again changes nothing there, so a retry is safe.
     *
     * @throws ReplicationException TRANSIENT or PERMANENT, see the class comment
     */
    public void putReplica(Replica replica, ReplicaIdentity identity, ReplicaData data) {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(target.s3().bucket()).key(replica.key())
                .contentLength(identity.deleteMarker() ? 0 : replica.size());
        Map<String, String> h = new java.util.LinkedHashMap<>();
        h.put(StrataReplicaHeaders.VERSION_ID, replica.sourceVersionId());
        h.put(StrataReplicaHeaders.LAST_MODIFIED, replica.lastModified().toString());
        h.put(StrataReplicaHeaders.ORIGIN_SITE, identity.originSite());
        h.put(StrataReplicaHeaders.SITES, StrataReplicaHeaders.sites(identity.sites()));
        if (identity.backfill()) h.put(StrataReplicaHeaders.BACKFILL, "true");
        if (identity.deleteMarker()) {
            h.put(StrataReplicaHeaders.DELETE_MARKER, "true");
        } else {
            put.contentType(replica.contentType()).metadata(replica.userMetadata());
            headers(replica, put);
            if (!replica.tags().isEmpty()) put.tagging(tagging(replica.tags()));
            if (!identity.cannedAcl().equals("private")) put.acl(identity.cannedAcl());
            replica.storageClass().ifPresent(put::storageClass);
            h.put(StrataReplicaHeaders.ETAG, replica.etag());
            h.put(StrataReplicaHeaders.CHECKSUM_TYPE, identity.checksumType());
            if (!replica.partSizes().isEmpty()) h.put(StrataReplicaHeaders.PART_SIZES, StrataReplicaHeaders.partSizes(replica.partSizes()));
            if (!replica.checksums().isEmpty()) h.put(StrataReplicaHeaders.CHECKSUMS, StrataReplicaHeaders.checksums(replica.checksums()));
            if (!replica.partChecksums().isEmpty()) {
                h.put(StrataReplicaHeaders.PART_CHECKSUMS, StrataReplicaHeaders.partChecksums(replica.partChecksums()));
            }
            // Content-MD5 for a single part: checked by the target as for any PUT, before anything is kept.
            if (HEX_MD5.matcher(replica.etag()).matches()) {
                put.contentMD5(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(replica.etag())));
            }
        }
        // SigV4 signs every x-strata-* header the SDK sends, so a proxy cannot change the identity.
        put.overrideConfiguration(o -> h.forEach(o::putHeader));
        PutObjectRequest request = put.build();
        long length = identity.deleteMarker() ? 0 : replica.size();
        call(replica.key(), () -> {
            if (length == 0) return s3.putObject(request, RequestBody.empty());
            try (Body body = new Body(data, 0, length)) {
                return s3.putObject(request, RequestBody.fromContentProvider(body, length, replica.contentType()));
            }
        });
    }

    /**
     * Tells a Strata target that its bucket holds every change of this source up to {@code until} (this
     * site's complete-until for the target): a HeadBucket carrying {@link StrataReplicaHeaders#COMPLETE_UNTIL}
     * and {@link StrataReplicaHeaders#ORIGIN_SITE}, SigV4-signed as every call (so only the bucket's owner can
     * move the point), which the target records per bucket and origin. The target keeps the latest point
     * only, so a repeated or late report changes nothing.
     *
     * @throws ReplicationException TRANSIENT or PERMANENT (403: the credentials are not the bucket owner's)
     */
    public void reportProgress(String originSite, java.time.Instant until) {
        call("?progress", () -> s3.headBucket(b -> b.bucket(target.s3().bucket()).overrideConfiguration(o -> o
                .putHeader(StrataReplicaHeaders.ORIGIN_SITE, originSite)
                .putHeader(StrataReplicaHeaders.COMPLETE_UNTIL, until.toString()))));
    }

    /**
     * Sets the tags of version {@code versionId} of {@code key} at a target that keeps the source's version
     * ids (another Strata): PutObjectTagging with the version id, or DeleteObjectTagging for none. Idempotent.
     *
     * @throws ReplicationException TRANSIENT or PERMANENT (NoSuchVersion: the version is not there)
     */
    public void putTags(String key, String versionId, Map<String, String> tags) {
        String bucket = target.s3().bucket();
        if (tags.isEmpty()) {
            call(key, () -> s3.deleteObjectTagging(d -> d.bucket(bucket).key(key).versionId(versionId)));
        } else {
            call(key, () -> s3.putObjectTagging(p -> p.bucket(bucket).key(key).versionId(versionId).tagging(tagging(tags))));
        }
    }

    private void send(Replica replica, ReplicaData data, boolean extras) {
        if (replica.partSizes().size() > 1) {
            putMultipart(replica, data, extras);
            return;
        }
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(target.s3().bucket()).key(replica.key())
                .contentType(replica.contentType()).contentLength(replica.size()).metadata(metadata(replica));
        headers(replica, put);
        if (extras && !replica.tags().isEmpty()) put.tagging(tagging(replica.tags()));
        replica.storageClass().ifPresent(put::storageClass);
        // Content-MD5 from the source's ETag: the target checks the bytes it got are the source's.
        if (HEX_MD5.matcher(replica.etag()).matches()) {
            put.contentMD5(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(replica.etag())));
        }
        Map<String, String> checksums = replica.partSizes().size() == 1 && !replica.partChecksums().isEmpty()
                ? replica.partChecksums().getFirst() : replica.checksums();
        if (extras) checksums.forEach((algorithm, value) -> checksum(put, algorithm, value));
        PutObjectRequest request = put.build();
        call(replica.key(), () -> {
            try (Body body = new Body(data, 0, replica.size())) {
                return s3.putObject(request, RequestBody.fromContentProvider(body, replica.size(), replica.contentType()));
            }
        });
    }

    private void putMultipart(Replica replica, ReplicaData data, boolean extras) {
        String bucket = target.s3().bucket();
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(bucket)
                .key(replica.key()).contentType(replica.contentType()).metadata(metadata(replica));
        headers(replica, create);
        if (extras && !replica.tags().isEmpty()) create.tagging(tagging(replica.tags()));
        replica.storageClass().ifPresent(create::storageClass);
        boolean partChecksums = extras && !replica.partChecksums().isEmpty();
        if (partChecksums) {
            create.checksumAlgorithm(replica.partChecksums().getFirst().keySet().iterator().next());
        }
        String uploadId = call(replica.key(), () -> s3.createMultipartUpload(create.build()).uploadId());
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long offset = 0;
            for (int i = 0; i < replica.partSizes().size(); i++) {
                int number = i + 1;
                long size = replica.partSizes().get(i);
                long from = offset;
                UploadPartRequest.Builder part = UploadPartRequest.builder().bucket(bucket).key(replica.key())
                        .uploadId(uploadId).partNumber(number).contentLength(size);
                CompletedPart.Builder done = CompletedPart.builder().partNumber(number);
                if (partChecksums) {
                    replica.partChecksums().get(i).forEach((algorithm, value) -> {
                        checksum(part, algorithm, value);
                        checksum(done, algorithm, value);
                    });
                }
                UploadPartRequest request = part.build();
                String etag = call(replica.key(), () -> {
                    try (Body body = new Body(data, from, size)) {
                        return s3.uploadPart(request, RequestBody.fromContentProvider(body, size,
                                "application/octet-stream")).eTag();
                    }
                });
                parts.add(done.eTag(etag).build());
                offset += size;
            }
            String etag = call(replica.key(), () -> s3.completeMultipartUpload(c -> c.bucket(bucket).key(replica.key())
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts))).eTag());
            completed = true;
            if (!replica.etag().equals(unquote(etag))) {
                // Same parts, same sizes: a different ETag means different bytes arrived. Sent again later.
                throw new ReplicationException(ReplicationException.Reason.TRANSIENT, replica.key()
                        + ": the target's ETag " + etag + " is not the source's " + replica.etag(), null);
            }
        } finally {
            if (!completed) abort(replica.key(), uploadId);
        }
    }

    private void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(a -> a.bucket(target.s3().bucket()).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            LOG.warn("replication target {}: could not abort the upload of {}: {}", target.name(), key, e.getMessage());
        }
    }

    /**
     * Makes a delete marker for {@code key} at the target: a DELETE without version id. A target without
     * the key answers 204 as well, so it is idempotent.
     *
     * @throws ReplicationException TRANSIENT or PERMANENT
     */
    public void deleteMarker(String key) {
        // At an unversioned bucket this DELETE would remove the replica itself, not add a marker.
        requireVersioning();
        call(key, () -> s3.deleteObject(d -> d.bucket(target.s3().bucket()).key(key)));
    }

    /**
     * S3 replication needs versioning Enabled at the destination: without it a replica overwrites the one
     * before, and a delete marker deletes. Asked once per sender (a changed target gets a new sender) with
     * GetBucketVersioning; while the answer is not Enabled, asked again at each operation, so enabling it
     * at the target and retrying the FAILED operations is enough.
     *
     * @throws ReplicationException PERMANENT when the target says versioning is off or suspended; TRANSIENT
     *                              when it cannot be reached
     */
    private void requireVersioning() {
        if (versioningSettled) return;
        String bucket = target.s3().bucket();
        BucketVersioningStatus status;
        try {
            status = call("?versioning", () -> s3.getBucketVersioning(b -> b.bucket(bucket)).status());
        } catch (ReplicationException e) {
            if (e.reason() == ReplicationException.Reason.TRANSIENT) throw e;
            if (e.getCause() instanceof S3Exception s3e && (s3e.statusCode() == 501 || s3e.statusCode() == 403)) {
                versioningSettled = true;
                LOG.warn("replication target {}: the versioning of bucket {} cannot be read ({}); replicas are sent "
                        + "without checking it", target.name(), bucket, e.getMessage());
            }
            return;   // another refusal (NoSuchBucket, ...) is the operation's own to report
        }
        if (status == BucketVersioningStatus.ENABLED) {
            versioningSettled = true;
            return;
        }
        throw new ReplicationException(ReplicationException.Reason.PERMANENT, "versioning is "
                + (status == null ? "not enabled" : status.toString().toLowerCase(java.util.Locale.ROOT)) + " on bucket "
                + bucket + " of replication target " + target.name() + ": S3 replication needs it Enabled at the "
                + "destination; enable it there, then run 'strata replicate retry --failed --target " + target.name() + "'", null);
    }

    /**
     * Up to {@code maxKeys} of the target bucket's current objects whose keys sort after {@code startAfter}
     * ("" for the first), in key order (ListObjectsV2 with StartAfter): what a resync compares with. Read
     * only, so it goes through the same retry and circuit breaker as the writes.
     *
     * @throws ReplicationException TRANSIENT or PERMANENT
     */
    public TargetListing list(String startAfter, int maxKeys) {
        ListObjectsV2Response page = call(startAfter, () -> s3.listObjectsV2(l -> {
            l.bucket(target.s3().bucket()).maxKeys(maxKeys);
            if (!startAfter.isEmpty()) l.startAfter(startAfter);
        }));
        List<TargetListing.Entry> objects = new ArrayList<>(page.contents().size());
        for (S3Object o : page.contents()) {
            objects.add(new TargetListing.Entry(o.key(), o.eTag() == null ? "" : unquote(o.eTag()), o.size() == null ? -1 : o.size()));
        }
        return new TargetListing(objects, Boolean.TRUE.equals(page.isTruncated()));
    }

    private static Map<String, String> metadata(Replica replica) {
        Map<String, String> m = new HashMap<>(replica.userMetadata());
        m.put(Replica.SOURCE_VERSION_ID, replica.sourceVersionId());
        m.put(Replica.SOURCE_MTIME, replica.lastModified().toString());
        return m;
    }

    private static void headers(Replica replica, PutObjectRequest.Builder b) {
        Map<String, String> h = replica.headers();
        if (h.containsKey("content-encoding")) b.contentEncoding(h.get("content-encoding"));
        if (h.containsKey("content-disposition")) b.contentDisposition(h.get("content-disposition"));
        if (h.containsKey("content-language")) b.contentLanguage(h.get("content-language"));
        if (h.containsKey("cache-control")) b.cacheControl(h.get("cache-control"));
        expires(h).ifPresent(b::expires);
    }

    private static void headers(Replica replica, CreateMultipartUploadRequest.Builder b) {
        Map<String, String> h = replica.headers();
        if (h.containsKey("content-encoding")) b.contentEncoding(h.get("content-encoding"));
        if (h.containsKey("content-disposition")) b.contentDisposition(h.get("content-disposition"));
        if (h.containsKey("content-language")) b.contentLanguage(h.get("content-language"));
        if (h.containsKey("cache-control")) b.cacheControl(h.get("cache-control"));
        expires(h).ifPresent(b::expires);
    }

    /** Expires as stored (an HTTP date); one S3 would not parse is not sent rather than failing the replica. */
    private static java.util.Optional<Instant> expires(Map<String, String> h) {
        String value = h.get("expires");
        if (value == null) return java.util.Optional.empty();
        try {
            return java.util.Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }

    private static Tagging tagging(Map<String, String> tags) {
        return Tagging.builder().tagSet(tags.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build()).toList()).build();
    }

    private static void checksum(PutObjectRequest.Builder b, String algorithm, String value) {
        switch (algorithm) {
            case "CRC32" -> b.checksumCRC32(value);
            case "CRC32C" -> b.checksumCRC32C(value);
            case "CRC64NVME" -> b.checksumCRC64NVME(value);
            case "SHA1" -> b.checksumSHA1(value);
            case "SHA256" -> b.checksumSHA256(value);
            default -> { } // an algorithm the SDK does not know cannot be sent; the target computes its own
        }
    }

    private static void checksum(UploadPartRequest.Builder b, String algorithm, String value) {
        switch (algorithm) {
            case "CRC32" -> b.checksumCRC32(value);
            case "CRC32C" -> b.checksumCRC32C(value);
            case "CRC64NVME" -> b.checksumCRC64NVME(value);
            case "SHA1" -> b.checksumSHA1(value);
            case "SHA256" -> b.checksumSHA256(value);
            default -> { }
        }
    }

    private static void checksum(CompletedPart.Builder b, String algorithm, String value) {
        switch (algorithm) {
            case "CRC32" -> b.checksumCRC32(value);
            case "CRC32C" -> b.checksumCRC32C(value);
            case "CRC64NVME" -> b.checksumCRC64NVME(value);
            case "SHA1" -> b.checksumSHA1(value);
            case "SHA256" -> b.checksumSHA256(value);
            default -> { }
        }
    }

    private static String unquote(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    private <T> T call(String key, Supplier<T> request) {
        Supplier<T> translated = () -> {
            try {
                return request.get();
            } catch (SdkException e) {
                throw translate(target.name() + ": " + key, e);
            } catch (UncheckedIOException e) {
                // The source could not be read: not the target's fault, and not final either.
                throw new ReplicationException(ReplicationException.Reason.TRANSIENT, key + ": reading the source: "
                        + e.getMessage(), e);
            }
        };
        try {
            T result = Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, translated)).get();
            lastCallFailed = false;
            return result;
        } catch (CallNotPermittedException e) {
            lastCallFailed = true;
            throw new ReplicationException(ReplicationException.Reason.TRANSIENT,
                    "circuit open for replication target " + target.name(), e);
        } catch (ReplicationException e) {
            lastCallFailed = true;
            throw e;
        }
    }

    private static boolean isTransient(Throwable t) {
        return t instanceof ReplicationException e && e.reason() == ReplicationException.Reason.TRANSIENT;
    }

    /** S3's answer as TRANSIENT (retrying can help) or PERMANENT (the target refuses this for good). */
    static ReplicationException translate(String subject, SdkException e) {
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            String message = subject + ": " + status + " " + code;
            // BadDigest: bytes changed on the way; the next attempt reads and sends them again.
            boolean transientError = (status >= 500 && status != 501 && status != 505) || status == 429
                    || "SlowDown".equals(code) || "RequestTimeout".equals(code) || "BadDigest".equals(code);
            return new ReplicationException(transientError ? ReplicationException.Reason.TRANSIENT
                    : ReplicationException.Reason.PERMANENT, message, e);
        }
        return new ReplicationException(ReplicationException.Reason.TRANSIENT, subject + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        s3.close();
    }

    /**
     * The request body: opens its range on each attempt (the SDK asks again on a retry) and closes the
     * stream it opened before, and the last one when the call is over.
     */
    private static final class Body implements ContentStreamProvider, AutoCloseable {
        private final ReplicaData data;
        private final long offset;
        private final long length;
        private InputStream open;

        Body(ReplicaData data, long offset, long length) {
            this.data = data;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public InputStream newStream() {
            close();
            open = data.open(offset, length);
            return open;
        }

        @Override
        public void close() {
            if (open == null) return;
            try {
                open.close();
            } catch (IOException e) {
                LOG.debug("closing a replica's source stream: {}", e.getMessage());
            }
            open = null;
        }
    }
}
