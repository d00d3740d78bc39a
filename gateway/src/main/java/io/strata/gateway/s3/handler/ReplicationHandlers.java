package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.replication.ReplicationTargets;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.ReplicationXml;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.Namespace;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfigurationCodec;
import io.strata.tiering.replication.ReplicationTarget;
import io.strata.tiering.replication.StrataReplicaHeaders;

import java.util.List;
import java.util.Optional;

/**
 * Put/Get/DeleteBucketReplication. The configuration is validated by {@link ReplicationXml}, then here
 * against the bucket and the gateway: versioning must be Enabled on the bucket, and every rule's destination
 * must resolve to exactly one registered replication target ({@link ReplicationTarget}). It is stored in
 * tiering's codec ({@link ReplicationConfigurationCodec}), so nothing but this handler reads the client's
 * XML. A refused configuration changes nothing stored.
 *
 * <p>Versioning changes pass through {@link #setVersioning}: S3 refuses to suspend versioning on a bucket
 * with a replication configuration (a suspended bucket writes null versions, which replication cannot
 * identify at the destination). Both checks run under the target registry's lock, so a configuration and
 * a suspension racing each other cannot both succeed.
 */
public final class ReplicationHandlers {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicationHandlers.class);

    private final ObjectService service;
    private final ReplicationTargets targets;

    ReplicationHandlers(ObjectService service, ReplicationTargets targets) {
        this.service = service;
        this.targets = targets;
    }

    /**
     * A progress report from another Strata site replicating into {@code b}: a HeadBucket carrying
     * {@link StrataReplicaHeaders#COMPLETE_UNTIL} and {@link StrataReplicaHeaders#ORIGIN_SITE}, meaning the
     * bucket holds every change from that site up to that time. Recorded durably, only ever moving forward
     * ({@link io.strata.gateway.replication.ReceivedProgress}). Only the bucket's owner may report, as only it
     * may write replicas: a forged point would let a snapshot here claim a consistency it does not have
     * ({@code 403 AccessDenied}). A malformed header is {@code 400 InvalidArgument} naming it; nothing is kept.
     */
    void recordProgress(S3Request r, Bucket b) {
        if (r.auth().anonymous() || !b.owner().equals(r.auth().accessKey())) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Only the bucket owner may report replication progress.");
        }
        String origin;
        java.time.Instant until;
        try {
            origin = StrataReplicaHeaders.site(single(r, StrataReplicaHeaders.ORIGIN_SITE), StrataReplicaHeaders.ORIGIN_SITE);
            until = java.time.Instant.parse(String.valueOf(single(r, StrataReplicaHeaders.COMPLETE_UNTIL)));
        } catch (java.time.format.DateTimeParseException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The replica header " + StrataReplicaHeaders.COMPLETE_UNTIL
                    + " is malformed: it must be an ISO-8601 instant such as 2026-12-07T02:05:35.123456Z.")
                    .with("ArgumentName", StrataReplicaHeaders.COMPLETE_UNTIL);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage()).with("ArgumentName", StrataReplicaHeaders.ORIGIN_SITE);
        }
        if (targets.received().record(b.name().value(), origin, until, java.time.Instant.now())) {
            LOG.debug("bucket {}: complete up to {} from site {}", b.name().value(), until, origin);
        }
    }

    private static String single(S3Request r, String name) {
        List<String> values = r.headers().get(name);
        if (values == null || values.size() != 1) {
            throw new IllegalArgumentException("The replica header " + name + " is malformed: it must be given once.");
        }
        return values.getFirst().trim();
    }

    /**
     * The bucket's stored replication configuration, empty if it has none.
     *
     * @throws IllegalStateException if what is stored cannot be read (it passed validation when written)
     * @throws io.strata.namespace.NamespaceException BUCKET_NOT_FOUND
     */
    public static Optional<ReplicationConfiguration> stored(Namespace namespace, BucketName bucket) {
        Optional<byte[]> encoded = namespace.bucketConfig(bucket, ReplicationConfigurationCodec.KIND);
        try {
            return encoded.map(ReplicationConfigurationCodec::decode);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("bucket " + bucket + ": stored replication configuration is unreadable: "
                    + e.getMessage(), e);
        }
    }

    void put(S3Request r, ServerResponse res) {
        BucketName name = bucket(r).name();
        byte[] body = Responses.readSmallBody(r);
        LifecycleHandlers.verifyIntegrity(r, body);
        ReplicationConfiguration config = ReplicationXml.parseRequest(body);
        targets.whileLocked(() -> {
            Bucket bucket = service.namespace().bucket(name).orElseThrow(() -> BucketHandlers.noSuchBucket(name.value()));
            if (bucket.versioning() != BucketVersioning.ENABLED) {
                throw new S3Exception(S3Error.INVALID_REQUEST,
                        "Versioning must be 'Enabled' on the bucket to apply a replication configuration");
            }
            List<ReplicationTarget> known = targets.list();
            for (ReplicationConfiguration.Rule rule : config.rules()) {
                String arn = rule.destination().bucketArn();
                List<ReplicationTarget> matching = ReplicationTarget.matching(arn, known);
                String bucketOfArn = ReplicationTarget.bucketOf(arn).orElse("B");
                if (matching.isEmpty()) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "Destination bucket " + arn + " of rule '" + rule.id()
                            + "' is not a replication target of this gateway. Register it first: strata replicate target "
                            + "add NAME --endpoint URL --bucket " + bucketOfArn + " --access-key K --secret-key S");
                }
                if (matching.size() > 1) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "Destination bucket " + arn + " of rule '" + rule.id()
                            + "' matches several replication targets (" + String.join(", ",
                            matching.stream().map(ReplicationTarget::name).toList()) + "): keep one (strata replicate "
                            + "target rm NAME); a destination resolves to the single target added with strata replicate "
                            + "target add ... --bucket " + bucketOfArn);
                }
            }
            service.namespace().putBucketConfig(name, ReplicationConfigurationCodec.KIND,
                    ReplicationConfigurationCodec.encode(config));
            return null;
        });
        LOG.debug("bucket {}: replication configuration of {} rule(s) stored", name, config.rules().size());
        res.status(Status.OK_200).send();
    }

    void get(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        ReplicationConfiguration config = stored(service.namespace(), bucket.name())
                .orElseThrow(() -> new S3Exception(S3Error.REPLICATION_CONFIGURATION_NOT_FOUND)
                        .with("BucketName", bucket.name().value()));
        res.status(Status.OK_200);
        res.header("Content-Type", "application/xml");
        res.send(ReplicationXml.write(config));
    }

    void delete(S3Request r, ServerResponse res) {
        BucketName name = bucket(r).name();
        targets.whileLocked(() -> service.namespace().deleteBucketConfig(name, ReplicationConfigurationCodec.KIND));
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * Sets the bucket's versioning, unless that suspends it while it has a replication configuration:
     * 409 InvalidBucketState, with S3's message.
     */
    void setVersioning(BucketName name, BucketVersioning state) {
        targets.whileLocked(() -> {
            if (state != BucketVersioning.ENABLED && stored(service.namespace(), name).isPresent()) {
                throw new S3Exception(S3Error.INVALID_BUCKET_STATE, "A replication configuration is present on this "
                        + "bucket, so you cannot change the versioning state. To change the versioning state, first "
                        + "delete the replication configuration.");
            }
            service.namespace().setVersioning(name, state);
            return null;
        });
    }

    private Bucket bucket(S3Request r) {
        BucketName name = r.bucket();
        return service.namespace().bucket(name).orElseThrow(() -> BucketHandlers.noSuchBucket(name.value()));
    }
}
