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
import io.strata.namespace.Namespace;
import io.strata.tiering.lifecycle.LifecycleConfiguration;
import io.strata.tiering.lifecycle.LifecycleConfigurationCodec;
import io.strata.namespace.NamespaceException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Put/Get/DeleteBucketLifecycle(Configuration). The configuration is validated by {@link LifecycleXml} and
 * stored, with the bucket's x-amz-transition-default-minimum-object-size, in tiering's own codec
 * ({@link LifecycleConfigurationCodec}); the tiering module's lifecycle worker executes it. Buckets
 * configured by older gateways hold the XML document and the minimum as two documents: they are read as
 * they are, and the next PUT or DELETE replaces them.
 */
public final class LifecycleHandlers {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LifecycleHandlers.class);
    static final String MINIMUM_HEADER = "x-amz-transition-default-minimum-object-size";
    /** The kind older gateways stored the minimum's setting under, beside the XML (still read). */
    static final String MINIMUM_KIND = "lifecycle-transition-minimum";
    static final String ALL_128K = "all_storage_classes_128K";
    /** AWS: smaller objects may go to the Glacier classes only; Strata's tiers take them all. */
    static final String VARIES = "varies_by_storage_class";

    private final ObjectService service;

    /**
     * The bucket's lifecycle configuration, empty if it has none: the codec's form, or else the XML an older
     * gateway stored and the minimum beside it.
     *
     * @throws IllegalStateException if what is stored cannot be read (it passed validation when written)
     * @throws io.strata.namespace.NamespaceException BUCKET_NOT_FOUND
     */
    static Optional<LifecycleConfiguration> stored(Namespace namespace, BucketName bucket) {
        Optional<byte[]> encoded = namespace.bucketConfig(bucket, LifecycleConfigurationCodec.KIND);
        try {
            if (encoded.isPresent()) return Optional.of(LifecycleConfigurationCodec.decode(encoded.get()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("bucket " + bucket + ": stored lifecycle configuration is unreadable: "
                    + e.getMessage(), e);
        }
        Optional<byte[]> legacy = namespace.bucketConfig(bucket, LifecycleXml.KIND);
        if (legacy.isEmpty()) return Optional.empty();
        LifecycleConfiguration parsed;
        try {
            parsed = LifecycleXml.parseStored(legacy.get());
        } catch (S3Exception e) {
            throw new IllegalStateException("bucket " + bucket + ": stored lifecycle document is unreadable: "
                    + e.getMessage(), e);
        }
        boolean varies = namespace.bucketConfig(bucket, MINIMUM_KIND)
                .map(b -> new String(b, StandardCharsets.UTF_8)).filter(VARIES::equals).isPresent();
        return Optional.of(new LifecycleConfiguration(parsed.rules(), minimumBytes(varies ? VARIES : ALL_128K)));
    }

    /** The transition minimum size in bytes that a header value means. */
    private static long minimumBytes(String setting) {
        return setting.equals(VARIES) ? 0 : LifecycleConfiguration.DEFAULT_TRANSITION_MINIMUM_SIZE;
    }

    /**
     * The bucket's stored lifecycle configuration as the lifecycle worker runs it: the wiring hands
     * this to the object service ({@code ObjectService.lifecycleLookup}), which answers the worker.
     */
    public static Optional<LifecycleConfiguration> stored(ObjectService service, BucketName bucket) {
        try {
            return stored(service.namespace(), bucket);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return Optional.empty();
            throw e;
        } catch (IllegalStateException e) {
            // Stored configurations passed validation when they were written; one that no longer reads is skipped, not guessed at.
            LOG.warn("{}, skipped", e.getMessage());
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
        LifecycleConfiguration parsed = LifecycleXml.parseRequest(body);
        for (var rule : parsed.rules()) {
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
        LifecycleConfiguration config = new LifecycleConfiguration(parsed.rules(), minimumBytes(minimum));
        // One document holds rules and minimum. Written before the older kinds go, which it overrides, so a
        // crash in between leaves the new configuration in force.
        service.namespace().putBucketConfig(bucket.name(), LifecycleConfigurationCodec.KIND,
                LifecycleConfigurationCodec.encode(config));
        deleteLegacy(bucket.name());
        res.header(MINIMUM_HEADER, minimum);
        res.status(Status.OK_200).send();
    }

    void get(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        LifecycleConfiguration config = stored(service.namespace(), bucket.name())
                .orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_LIFECYCLE_CONFIGURATION)
                        .with("BucketName", bucket.name().value()));
        res.status(Status.OK_200);
        res.header("Content-Type", "application/xml");
        res.header(MINIMUM_HEADER, config.transitionMinimumSize() == 0 ? VARIES : ALL_128K);
        res.send(LifecycleXml.write(config));
    }

    void delete(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        service.namespace().deleteBucketConfig(bucket.name(), LifecycleConfigurationCodec.KIND);
        deleteLegacy(bucket.name());
        res.status(Status.NO_CONTENT_204).send();
    }

    /** Removes what older gateways stored for the configuration. */
    private void deleteLegacy(BucketName bucket) {
        service.namespace().deleteBucketConfig(bucket, LifecycleXml.KIND);
        service.namespace().deleteBucketConfig(bucket, MINIMUM_KIND);
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
