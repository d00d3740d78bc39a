package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.ObjectOwnership;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.BucketConfigurationXml;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.Bucket;
import io.strata.tiering.replication.StrataReplicaHeaders;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ListPage;
import io.strata.namespace.ListQuery;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.TierMover;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/** Bucket operations (versioning configuration included) and object and version listings. */
final class BucketHandlers {
    private final ObjectService service;
    private final String region;
    /** Versioning changes go through it: suspension is refused while a replication configuration exists. */
    private final ReplicationHandlers replication;

    BucketHandlers(ObjectService service, String region, ReplicationHandlers replication) {
        this.service = service;
        this.region = region;
        this.replication = replication;
    }

    /** ListBuckets' page size when max-buckets is given: AWS's limits. Without it every bucket is listed, as before 2024. */
    static final int MAX_BUCKETS = 10_000;

    /**
     * ListBuckets with the 2024 parameters: {@code prefix}, {@code bucket-region} (filters),
     * {@code max-buckets} (1..10000, else InvalidArgument) and {@code continuation-token} (the
     * opaque token of the previous page; an empty one is absent, as the SDKs send it on the first page).
     * The answer carries {@code ContinuationToken} when more buckets follow and echoes {@code Prefix}.
     */
    void listBuckets(S3Request r, ServerResponse res) {
        String prefix = r.param("prefix").orElse("");
        Optional<String> region = r.param("bucket-region").filter(v -> !v.isEmpty());
        int max = maxBuckets(r.param("max-buckets"));
        String after = r.param("continuation-token").filter(v -> !v.isEmpty()).map(BucketHandlers::decodeToken).orElse("");
        XmlWriter xml = XmlWriter.create().root("ListAllMyBucketsResult");
        xml.start("Buckets");
        int listed = 0;
        String last = null;
        boolean more = false;
        for (Bucket b : service.namespace().buckets()) {     // sorted by name
            String name = b.name().value();
            if (name.compareTo(after) <= 0 || !name.startsWith(prefix)) continue;
            if (region.isPresent() && !region.get().equals(b.region())) continue;
            if (listed == max) {
                more = true;
                break;
            }
            xml.start("Bucket").element("Name", name)
                    .element("CreationDate", Encoding.isoDate(b.created()))
                    .element("BucketRegion", b.region()).end();
            listed++;
            last = name;
        }
        xml.end();
        Responses.ownerElement(xml, "Owner", Responses.owner(r.auth().accessKey()));
        if (more) xml.element("ContinuationToken", encodeToken(last));
        if (r.param("prefix").isPresent()) xml.element("Prefix", prefix);
        Responses.xml(res, xml);
    }

    static int maxBuckets(Optional<String> value) {
        if (value.isEmpty()) return Integer.MAX_VALUE;
        try {
            int n = S3Request.decimalInt(value.get());
            if (n < 1 || n > MAX_BUCKETS) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Argument max-buckets must be an integer between 1 and "
                    + MAX_BUCKETS + ".").with("ArgumentName", "max-buckets").with("ArgumentValue", value.get());
        }
    }

    /**
     * CreateBucket. Re-creating a bucket the caller owns is, for legacy compatibility, 200 in
     * us-east-1 (the bucket, its ACL included, is left as it is: "ensure the bucket exists" must not
     * make a public bucket private) and {@code 409 BucketAlreadyOwnedByYou} in every other region, or
     * when the request asks for a region other than the bucket's. A bucket someone else owns is
     * {@code 409 BucketAlreadyExists} in every region.
     */
    void createBucket(S3Request r, ServerResponse res) {
        BucketName name = r.bucket();
        var acl = Uploads.cannedAcl(r);
        Optional<ObjectOwnership> ownership = r.header("x-amz-object-ownership").map(v -> ObjectOwnership.parse(v)
                .orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid x-amz-object-ownership header: " + v)
                        .with("ArgumentName", "x-amz-object-ownership").with("ArgumentValue", v)));
        // ACLs are disabled from the start: an ACL granting anyone but the owner cannot come with it.
        if (ownership.filter(o -> o == ObjectOwnership.BUCKET_OWNER_ENFORCED).isPresent()
                && acl.filter(AccessControl::isPublic).isPresent()) {
            throw new S3Exception(S3Error.INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP);
        }
        byte[] body = Responses.readSmallBody(r);
        String bucketRegion = region;
        if (body.length > 0) {
            Optional<String> constraint = BucketConfigurationXml.locationConstraint(body);
            if (constraint.isPresent()) bucketRegion = constraint.get();
        }
        try {
            service.namespace().createBucket(new Bucket(name, Instant.now(), bucketRegion, r.auth().accessKey()));
        } catch (NamespaceException e) {
            if (e.reason() != NamespaceException.Reason.BUCKET_EXISTS) throw e;
            Optional<Bucket> existing = service.namespace().bucket(name);
            if (existing.isPresent() && !existing.get().owner().equals(r.auth().accessKey())) {
                throw new S3Exception(S3Error.BUCKET_ALREADY_EXISTS, S3Error.BUCKET_ALREADY_EXISTS.message(),
                        "/" + name).with("BucketName", name.value());
            }
            if (!(LEGACY_REGION.equals(region) && LEGACY_REGION.equals(bucketRegion)
                    && existing.map(b -> LEGACY_REGION.equals(b.region())).orElse(false))) {
                throw new S3Exception(S3Error.BUCKET_ALREADY_OWNED_BY_YOU, S3Error.BUCKET_ALREADY_OWNED_BY_YOU.message(),
                        "/" + name).with("BucketName", name.value());
            }
            res.header("Location", "/" + name.value());
            res.status(Status.OK_200).send();
            return;
        }
        // A second write: a crash in between leaves the bucket private, the safe side (and ACLs enabled,
        // which for a private bucket of one account changes nothing).
        ownership.ifPresent(o -> service.namespace().putBucketConfig(name, ObjectOwnership.KIND,
                o.value().getBytes(StandardCharsets.UTF_8)));
        acl.ifPresent(a -> service.namespace().putBucketConfig(name, AccessControl.ACL,
                a.header().getBytes(StandardCharsets.UTF_8)));
        res.header("Location", "/" + name.value());
        res.status(Status.OK_200).send();
    }

    /** The region where S3 answers a repeated CreateBucket of an owned bucket with 200. */
    static final String LEGACY_REGION = "us-east-1";

    void headBucket(S3Request r, ServerResponse res) {
        Bucket b = bucket(r);
        // Another Strata site's progress report rides on a HeadBucket (see ReplicationHandlers#recordProgress).
        if (r.headers().containsKey(StrataReplicaHeaders.COMPLETE_UNTIL)) replication.recordProgress(r, b);
        res.header("x-amz-bucket-region", b.region());
        res.status(Status.OK_200).send();
    }

    void deleteBucket(S3Request r, ServerResponse res) {
        BucketName name = r.bucket();
        try {
            service.namespace().deleteBucket(name);
        } catch (NamespaceException e) {
            switch (e.reason()) {
                case BUCKET_NOT_FOUND -> throw noSuchBucket(name.value());
                case BUCKET_NOT_EMPTY -> throw new S3Exception(S3Error.BUCKET_NOT_EMPTY, S3Error.BUCKET_NOT_EMPTY.message(),
                        "/" + name).with("BucketName", name.value());
                default -> throw e;
            }
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    void location(S3Request r, ServerResponse res) {
        Bucket b = bucket(r);
        // us-east-1 is reported as an empty LocationConstraint, as S3 does.
        String value = b.region().equals("us-east-1") ? "" : b.region();
        Responses.xml(res, XmlWriter.create().root("LocationConstraint").text(value));
    }

    Bucket bucket(S3Request r) {
        BucketName name = r.bucket();
        return service.namespace().bucket(name).orElseThrow(() -> noSuchBucket(name.value()));
    }

    static S3Exception noSuchBucket(String name) {
        return new S3Exception(S3Error.NO_SUCH_BUCKET, S3Error.NO_SUCH_BUCKET.message(), "/" + name)
                .with("BucketName", name);
    }

    // ---- versioning

    void getVersioning(S3Request r, ServerResponse res) {
        Bucket b = bucket(r);
        XmlWriter xml = XmlWriter.create().root("VersioningConfiguration");
        // A never-versioned bucket answers an empty configuration, as S3 does.
        switch (b.versioning()) {
            case ENABLED -> xml.element("Status", "Enabled");
            case SUSPENDED -> xml.element("Status", "Suspended");
            case UNVERSIONED -> { }
        }
        Responses.xml(res, xml);
    }

    /**
     * PutBucketVersioning. Status Enabled or Suspended; MFA Delete cannot be enabled here (it needs
     * the root account's MFA device, which this gateway has no notion of): NotImplemented, like any
     * request carrying x-amz-mfa. MfaDelete Disabled is accepted.
     */
    void putVersioning(S3Request r, ServerResponse res) {
        BucketName name = bucket(r).name();
        if (r.header("x-amz-mfa").isPresent()) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "MFA Delete is not supported by Strata.");
        }
        byte[] body = Responses.readSmallBody(r);
        Optional<BucketVersioning> requested = BucketConfigurationXml.versioning(body);
        if (requested.isEmpty()) {
            // S3 accepts a configuration without Status and changes nothing.
            res.status(Status.OK_200).send();
            return;
        }
        BucketVersioning state = requested.get();
        replication.setVersioning(name, state);
        res.status(Status.OK_200).send();
    }

    // ---- listings

    void listObjectVersions(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        String prefix = r.param("prefix").orElse("");
        String delimiter = r.param("delimiter").orElse("");
        int maxKeys = maxKeys(r.param("max-keys"));
        boolean url = encodingType(r);
        String keyMarker = r.param("key-marker").orElse("");
        String versionIdMarker = r.param("version-id-marker").orElse("");
        if (!versionIdMarker.isEmpty()) {
            if (keyMarker.isEmpty()) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "A version-id marker cannot be specified without a key marker.")
                        .with("ArgumentName", "version-id-marker").with("ArgumentValue", versionIdMarker);
            }
            if (!ObjectVersion.isWellFormedVersionId(versionIdMarker)) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid version id specified")
                        .with("ArgumentName", "version-id-marker").with("ArgumentValue", versionIdMarker);
            }
        }
        VersionPage page = service.namespace().listVersions(bucket.name(),
                new VersionQuery(prefix, delimiter, keyMarker, versionIdMarker, maxKeys));

        XmlWriter xml = XmlWriter.create().root("ListVersionsResult");
        xml.element("Name", bucket.name().value())
                .element("Prefix", enc(prefix, url))
                .element("KeyMarker", enc(keyMarker, url))
                .element("VersionIdMarker", versionIdMarker)
                .element("MaxKeys", maxKeys);
        if (!delimiter.isEmpty()) xml.element("Delimiter", enc(delimiter, url));
        if (url) xml.element("EncodingType", "url");
        xml.element("IsTruncated", page.truncated());
        if (page.truncated()) {
            xml.element("NextKeyMarker", enc(page.nextKeyMarker(), url));
            xml.optional("NextVersionIdMarker", page.nextVersionIdMarker());
        }
        for (VersionPage.Entry e : page.versions()) {
            ObjectVersion v = e.version();
            xml.start(v.deleteMarker() ? "DeleteMarker" : "Version")
                    .element("Key", enc(v.key().value(), url))
                    .element("VersionId", v.versionId())
                    .element("IsLatest", e.latest())
                    .element("LastModified", Encoding.isoDate(v.lastModified()));
            if (!v.deleteMarker()) {
                xml.element("ETag", "\"" + v.etag() + "\"").element("Size", v.size());
                if (!v.checksums().isEmpty()) {
                    xml.element("ChecksumAlgorithm", v.checksums().keySet().iterator().next());
                    xml.element("ChecksumType", v.checksumType().name());
                }
                xml.element("StorageClass", TierMover.storageClass(v));
            }
            Responses.ownerElement(xml, "Owner", bucket.owner());
            xml.end();
        }
        for (String p : page.commonPrefixes()) {
            xml.start("CommonPrefixes").element("Prefix", enc(p, url)).end();
        }
        Responses.xml(res, xml);
    }

    void listObjects(S3Request r, ServerResponse res, boolean v2) {
        Bucket bucket = bucket(r);
        String prefix = r.param("prefix").orElse("");
        String delimiter = r.param("delimiter").orElse("");
        int maxKeys = maxKeys(r.param("max-keys"));
        boolean url = encodingType(r);
        String after;
        String startAfter = "";
        String token = null;
        String marker = "";
        if (v2) {
            startAfter = r.param("start-after").orElse("");
            // An empty token is no token: some clients send continuation-token= on the first page.
            token = r.param("continuation-token").filter(t -> !t.isEmpty()).orElse(null);
            if (token != null) {
                after = decodeToken(token);
            } else {
                after = startAfter;
            }
        } else {
            marker = r.param("marker").orElse("");
            after = marker;
        }
        ListPage page = service.namespace().list(bucket.name(), new ListQuery(prefix, delimiter, after, maxKeys));
        boolean fetchOwner = !v2 || r.param("fetch-owner").map("true"::equals).orElse(false);

        XmlWriter xml = XmlWriter.create().root("ListBucketResult");
        xml.element("Name", bucket.name().value())
                .element("Prefix", enc(prefix, url));
        if (v2) {
            if (token != null) xml.element("ContinuationToken", token);
            if (!startAfter.isEmpty()) xml.element("StartAfter", enc(startAfter, url));
            xml.element("KeyCount", page.objects().size() + page.commonPrefixes().size());
        } else {
            xml.element("Marker", enc(marker, url));
        }
        xml.element("MaxKeys", maxKeys);
        if (!delimiter.isEmpty()) xml.element("Delimiter", enc(delimiter, url));
        if (url) xml.element("EncodingType", "url");
        xml.element("IsTruncated", page.truncated());
        if (page.truncated()) {
            if (v2) {
                xml.element("NextContinuationToken", encodeToken(page.nextAfter()));
            } else {
                xml.element("NextMarker", enc(page.nextAfter(), url));
            }
        }
        for (ObjectVersion o : page.objects()) {
            xml.start("Contents")
                    .element("Key", enc(o.key().value(), url))
                    .element("LastModified", Encoding.isoDate(o.lastModified()))
                    .element("ETag", "\"" + o.etag() + "\"")
                    .element("Size", o.size());
            if (!o.checksums().isEmpty()) {
                xml.element("ChecksumAlgorithm", o.checksums().keySet().iterator().next());
                xml.element("ChecksumType", o.checksumType().name());
            }
            xml.element("StorageClass", TierMover.storageClass(o));
            if (fetchOwner) Responses.ownerElement(xml, "Owner", bucket.owner());
            xml.end();
        }
        for (String p : page.commonPrefixes()) {
            xml.start("CommonPrefixes").element("Prefix", enc(p, url)).end();
        }
        Responses.xml(res, xml);
    }

    static int maxKeys(Optional<String> value) {
        if (value.isEmpty()) return 1000;
        try {
            int n = S3Request.decimalInt(value.get());
            if (n < 0) throw new NumberFormatException();
            return Math.min(n, 1000);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Provided max-keys not an integer or within integer range")
                    .with("ArgumentName", "max-keys").with("ArgumentValue", value.get());
        }
    }

    static boolean encodingType(S3Request r) {
        Optional<String> type = r.param("encoding-type");
        if (type.isEmpty()) return false;
        if (!type.get().equals("url")) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid Encoding Method specified in Request")
                    .with("ArgumentName", "encoding-type").with("ArgumentValue", type.get());
        }
        return true;
    }

    /**
     * A key, prefix or marker as a listing shows it: URL-encoded with {@code encoding-type=url}.
     * Without it, a key XML 1.0 cannot carry (control characters, U+FFFF) is refused, as the answer
     * would be a document no strict parser reads; S3's SDKs always ask for url encoding.
     */
    static String enc(String s, boolean url) {
        if (url) return Encoding.urlEncode(s);
        if (!XmlWriter.representable(s)) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The listing contains a key with characters XML 1.0 cannot "
                    + "carry (such as control characters); list with encoding-type=url.")
                    .with("ArgumentName", "encoding-type");
        }
        return s;
    }

    static String encodeToken(String after) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("1:" + after).getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!s.startsWith("1:")) throw new IllegalArgumentException();
            return s.substring(2);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "The continuation token provided is incorrect")
                    .with("ArgumentName", "continuation-token");
        }
    }
}
