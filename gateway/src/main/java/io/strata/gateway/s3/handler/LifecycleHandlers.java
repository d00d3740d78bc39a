package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.LifecycleXml;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.NamespaceException;
import io.strata.tiering.LifecycleConfiguration;

import java.security.MessageDigest;
import java.util.Optional;

/**
 * Put/Get/DeleteBucketLifecycle(Configuration). The configuration is validated by {@link LifecycleXml}
 * and stored as a bucket configuration document; the tiering module's lifecycle worker executes it.
 */
public final class LifecycleHandlers {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LifecycleHandlers.class);
    static final String MINIMUM_HEADER = "x-amz-transition-default-minimum-object-size";
    static final String MINIMUM_KIND = "lifecycle-transition-minimum";
    static final String ALL_128K = "all_storage_classes_128K";
    /** AWS: smaller objects may go to the Glacier classes only; Strata's tiers take them all. */
    static final String VARIES = "varies_by_storage_class";

    private final ObjectService service;

    /** The bucket's stored x-amz-transition-default-minimum-object-size (S3's default when none). */
    static String minimum(ObjectService service, io.strata.namespace.BucketName bucket) {
        return service.namespace().bucketConfig(bucket, MINIMUM_KIND)
                .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)).orElse(ALL_128K);
    }

    /** The transition minimum size in bytes that the bucket's setting means. */
    static long minimumBytes(ObjectService service, io.strata.namespace.BucketName bucket) {
        return minimum(service, bucket).equals(VARIES) ? 0 : io.strata.tiering.LifecycleConfiguration.DEFAULT_TRANSITION_MINIMUM_SIZE;
    }

    /**
     * The bucket's stored lifecycle configuration as the lifecycle worker runs it: the wiring hands
     * this to the object service ({@code ObjectService.lifecycleLookup}), which answers the worker.
     */
    public static Optional<LifecycleConfiguration> stored(ObjectService service, BucketName bucket) {
        Optional<byte[]> document;
        try {
            document = service.namespace().bucketConfig(bucket, LifecycleXml.KIND);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return Optional.empty();
            throw e;
        }
        if (document.isEmpty()) return Optional.empty();
        try {
            LifecycleConfiguration parsed = LifecycleXml.parseStored(document.get());
            return Optional.of(new LifecycleConfiguration(parsed.rules(), minimumBytes(service, bucket)));
        } catch (S3Exception e) {
            // Stored documents passed validation when they were written; one that no longer parses is skipped, not guessed at.
            LOG.warn("bucket {}: stored lifecycle configuration is unreadable, skipped: {}", bucket, e.getMessage());
            return Optional.empty();
        }
    }

    LifecycleHandlers(ObjectService service) {
        this.service = service;
    }

    void put(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        byte[] body = Responses.readSmallBody(r);
        verifyIntegrity(r, body);
        LifecycleXml.Parsed parsed = LifecycleXml.parseRequest(body);
        for (var rule : parsed.configuration().rules()) {
            java.util.List<String> classes = new java.util.ArrayList<>();
            rule.transitions().forEach(t -> classes.add(t.storageClass()));
            rule.noncurrentTransitions().forEach(t -> classes.add(t.storageClass()));
            for (String c : classes) {
                if (service.tiers().get(c).isEmpty()) {
                    throw new S3Exception(S3Error.INVALID_STORAGE_CLASS, "The storage class you specified is not valid: "
                            + "no cold tier named " + c + " is configured here (configured: "
                            + String.join(", ", service.tiers().list().stream().map(t -> t.name()).toList())
                            + "). Add one with 'strata tier add'.");
                }
            }
        }
        String minimum = r.header(MINIMUM_HEADER).map(String::trim).orElse(ALL_128K);
        if (!minimum.equals(ALL_128K) && !minimum.equals(VARIES)) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "x-amz-transition-default-minimum-object-size must be "
                    + ALL_128K + " or " + VARIES + ".");
        }
        // The document first: a configuration without the minimum falls back to S3's default.
        service.namespace().putBucketConfig(bucket.name(), LifecycleXml.KIND, parsed.document());
        service.namespace().putBucketConfig(bucket.name(), MINIMUM_KIND, minimum.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        res.header(MINIMUM_HEADER, minimum);
        res.status(Status.OK_200).send();
    }

    void get(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        byte[] document = service.namespace().bucketConfig(bucket.name(), LifecycleXml.KIND)
                .orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_LIFECYCLE_CONFIGURATION)
                        .with("BucketName", bucket.name().value()));
        res.status(Status.OK_200);
        res.header("Content-Type", "application/xml");
        res.header(MINIMUM_HEADER, minimum(service, bucket.name()));
        res.send(document);
    }

    void delete(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        service.namespace().deleteBucketConfig(bucket.name(), LifecycleXml.KIND);
        service.namespace().deleteBucketConfig(bucket.name(), MINIMUM_KIND);
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * S3 requires Content-MD5 or an x-amz-checksum-* header on this PUT ("Content-MD5 header is
     * required for all Put Bucket requests that have a request body"); the SDKs send a CRC32 now.
     */
    static void verifyIntegrity(S3Request r, byte[] body) {
        Optional<String> md5 = r.header("content-md5");
        boolean checksum = false;
        if (md5.isPresent()) {
            if (!MessageDigest.isEqual(Uploads.decodeMd5(md5.get()), ObjectService.md5(body))) {
                throw new S3Exception(S3Error.BAD_DIGEST, "The Content-MD5 you specified did not match what we received.");
            }
        }
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            Optional<String> declared = r.header(a.headerName());
            if (declared.isEmpty()) continue;
            checksum = true;
            var c = a.newChecksummer();
            c.update(body, 0, body.length);
            if (!c.base64().equals(declared.get().trim())) {
                throw new S3Exception(S3Error.BAD_DIGEST, "The " + a + " you specified did not match the calculated checksum.");
            }
        }
        if (md5.isEmpty() && !checksum) {
            throw new S3Exception(S3Error.INVALID_REQUEST,
                    "Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
        }
    }


    private Bucket bucket(S3Request r) {
        BucketName name = r.bucket();
        return service.namespace().bucket(name).orElseThrow(() -> BucketHandlers.noSuchBucket(name.value()));
    }
}
