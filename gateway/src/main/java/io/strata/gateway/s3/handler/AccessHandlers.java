package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.CannedAcl;
import io.strata.auth.Policy;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.objects.StoredHeaders;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.AddressedVersion;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.xml.XmlReader;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import org.w3c.dom.Element;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Bucket policy (Put/Get/DeleteBucketPolicy) and canned ACLs (Put/GetBucketAcl, Put/GetObjectAcl).
 * Policies are validated by {@link Policy#parse} and stored as sent; a bucket's canned ACL is a
 * bucket configuration document, an object's lives in its stored headers ({@link StoredHeaders#ACL_HEADER}).
 */
final class AccessHandlers {
    private static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    private static final String AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private final ObjectService service;
    private final AccessControl access;

    AccessHandlers(ObjectService service, AccessControl access) {
        this.service = service;
        this.access = access;
    }

    // ---- policy

    void putPolicy(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        byte[] body = Responses.readSmallBody(r);
        if (body.length > Policy.MAX_SIZE) {
            throw new S3Exception(S3Error.MALFORMED_POLICY, "Policy exceeds the maximum allowed document size.");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new S3Exception(S3Error.MALFORMED_POLICY, "Policies must be valid UTF-8 JSON.");
        }
        Policy.parse(text, bucket.name().value());       // AuthException MALFORMED_POLICY -> 400 MalformedPolicy
        service.namespace().putBucketConfig(bucket.name(), AccessControl.POLICY, body);
        res.status(Status.NO_CONTENT_204).send();
    }

    void getPolicy(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        byte[] policy = service.namespace().bucketConfig(bucket.name(), AccessControl.POLICY)
                .orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_BUCKET_POLICY).with("BucketName", bucket.name().value()));
        res.status(Status.OK_200);
        res.header("Content-Type", "application/json");
        res.send(policy);
    }

    void deletePolicy(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        service.namespace().deleteBucketConfig(bucket.name(), AccessControl.POLICY);
        res.status(Status.NO_CONTENT_204).send();
    }

    // ---- ACLs

    void putBucketAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        CannedAcl acl = requestedAcl(r, bucket.owner());
        service.namespace().putBucketConfig(bucket.name(), AccessControl.ACL, acl.header().getBytes(StandardCharsets.UTF_8));
        res.status(Status.OK_200).send();
    }

    void getBucketAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        Responses.xml(res, aclXml(bucket.owner(), access.bucketAcl(bucket.name())));
    }

    void putObjectAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        ObjectVersion v = addressed(r, bucket.name(), r.key());
        CannedAcl acl = requestedAcl(r, bucket.owner());
        access.setObjectAcl(v, acl);
        if (!v.versionId().equals(ObjectVersion.NULL_VERSION)) res.header("x-amz-version-id", v.versionId());
        res.status(Status.OK_200).send();
    }

    void getObjectAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        ObjectVersion v = addressed(r, bucket.name(), r.key());
        if (!v.versionId().equals(ObjectVersion.NULL_VERSION)) res.header("x-amz-version-id", v.versionId());
        Responses.xml(res, aclXml(bucket.owner(), access.objectAcl(v)));
    }

    /** The version named by versionId, else the current one; delete markers have no ACL (NoSuchKey/NoSuchVersion). */
    private ObjectVersion addressed(S3Request r, BucketName bucket, ObjectKey key) {
        Optional<String> versionId = r.param("versionId");
        // A malformed id names no version here (NoSuchVersion), where other operations answer InvalidArgument.
        Optional<ObjectVersion> v = versionId.isPresent() && !ObjectVersion.isWellFormedVersionId(versionId.get())
                ? Optional.empty() : AddressedVersion.find(service, bucket, key, versionId);
        if (v.isEmpty() || v.get().deleteMarker()) {
            if (versionId.isPresent()) {
                throw new S3Exception(S3Error.NO_SUCH_VERSION).with("Key", key.value()).with("VersionId", versionId.get());
            }
            throw new S3Exception(S3Error.NO_SUCH_KEY, S3Error.NO_SUCH_KEY.message(), "/" + bucket + "/" + key.value())
                    .with("Key", key.value());
        }
        return v.get();
    }

    private Bucket bucket(S3Request r) {
        BucketName name = r.bucket();
        return service.namespace().bucket(name).orElseThrow(() -> BucketHandlers.noSuchBucket(name.value()));
    }

    /**
     * The ACL a Put*Acl asks for: the x-amz-acl header, or an AccessControlPolicy body whose grants
     * are exactly those of a canned ACL (s3cmd's setacl sends such a body). Other grants: 501.
     */
    private static CannedAcl requestedAcl(S3Request r, String owner) {
        Optional<CannedAcl> header = Uploads.cannedAcl(r);
        byte[] body = Responses.readSmallBody(r);
        if (header.isPresent()) {
            if (body.length > 0) {
                throw new S3Exception(S3Error.UNEXPECTED_CONTENT, "This request does not support content");
            }
            return header.get();
        }
        if (body.length == 0) {
            throw new S3Exception(S3Error.MISSING_SECURITY_HEADER, "Your request was missing a required header")
                    .with("MissingHeaderName", "x-amz-acl");
        }
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_ACL);
        }
        if (!doc.rootName().equals("AccessControlPolicy")) throw new S3Exception(S3Error.MALFORMED_ACL);
        Set<String> grants = new HashSet<>();
        boolean ownerFull = false;
        for (Element list : XmlReader.children(doc.root(), "AccessControlList")) {
            for (Element g : XmlReader.children(list, "Grant")) {
                String permission = XmlReader.text(g, "Permission").map(String::trim)
                        .orElseThrow(() -> new S3Exception(S3Error.MALFORMED_ACL));
                Element grantee = XmlReader.children(g, "Grantee").stream().findFirst()
                        .orElseThrow(() -> new S3Exception(S3Error.MALFORMED_ACL));
                Optional<String> uri = XmlReader.text(grantee, "URI").map(String::trim);
                Optional<String> id = XmlReader.text(grantee, "ID").map(String::trim);
                if (uri.isPresent()) {
                    grants.add(uri.get() + " " + permission);
                } else if (id.isPresent() && id.get().equals(owner) && permission.equals("FULL_CONTROL")) {
                    ownerFull = true;
                } else {
                    throw notCanned();
                }
            }
        }
        for (CannedAcl candidate : List.of(CannedAcl.PRIVATE, CannedAcl.PUBLIC_READ, CannedAcl.PUBLIC_READ_WRITE,
                CannedAcl.AUTHENTICATED_READ)) {
            Set<String> implied = new HashSet<>();
            for (CannedAcl.Grant g : candidate.grants()) implied.add(groupUri(g.group()) + " " + g.permission());
            if (implied.equals(grants) && ownerFull) return candidate;
        }
        throw notCanned();
    }

    private static S3Exception notCanned() {
        return new S3Exception(S3Error.NOT_IMPLEMENTED,
                "Only the grants of a canned ACL (private, public-read, public-read-write, authenticated-read) are implemented.");
    }

    private static String groupUri(CannedAcl.Group g) {
        return switch (g) {
            case ALL_USERS -> ALL_USERS;
            case AUTHENTICATED_USERS -> AUTHENTICATED_USERS;
        };
    }

    /** The AccessControlPolicy S3 returns for a canned ACL: the owner's FULL_CONTROL, then the group grants. */
    static XmlWriter aclXml(String owner, CannedAcl acl) {
        XmlWriter xml = XmlWriter.create().root("AccessControlPolicy");
        Responses.ownerElement(xml, "Owner", owner);
        xml.start("AccessControlList");
        xml.start("Grant").start("Grantee", "xmlns:xsi", XSI, "xsi:type", "CanonicalUser")
                .element("ID", owner).element("DisplayName", owner).end()
                .element("Permission", "FULL_CONTROL").end();
        for (CannedAcl.Grant g : acl.grants()) {
            xml.start("Grant").start("Grantee", "xmlns:xsi", XSI, "xsi:type", "Group")
                    .element("URI", groupUri(g.group())).end()
                    .element("Permission", g.permission().name()).end();
        }
        return xml.end().end();
    }
}
