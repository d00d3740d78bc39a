package io.strata.gateway.s3.handler;

import io.helidon.webserver.http.ServerResponse;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.Conditions;
import io.strata.gateway.s3.ErrorMapping;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.DeleteXml;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.BucketName;
import io.strata.namespace.DeleteResult;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.WriteCondition;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * DeleteObjects: up to 1,000 keys (or versions) in one request, each authorized and answered on its
 * own, as S3 does; a failure of one key is reported for that key and the batch goes on. The body's
 * Content-MD5 or checksum is checked before anything is deleted.
 */
final class DeleteObjectsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeleteObjectsHandler.class);
    private static final int MAX_DELETE_KEYS = 1000;

    private final ObjectService service;
    private final AccessControl access;

    DeleteObjectsHandler(ObjectService service, AccessControl access) {
        this.service = service;
        this.access = access;
    }

    void handle(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        service.requireBucket(bucket);
        byte[] body = Responses.readSmallBody(r);
        r.header("content-md5").ifPresent(md5 -> {
            if (!java.security.MessageDigest.isEqual(Uploads.decodeMd5(md5), ObjectService.md5(body))) {
                throw new S3Exception(S3Error.BAD_DIGEST, "The Content-MD5 you specified did not match what we received.");
            }
        });
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            Optional<String> declared = r.header(a.headerName());
            if (declared.isPresent()) {
                var c = a.newChecksummer();
                c.update(body, 0, body.length);
                if (!c.base64().equals(declared.get().trim())) {
                    throw new S3Exception(S3Error.BAD_DIGEST, "The " + a + " you specified did not match the calculated checksum.");
                }
            }
        }
        DeleteXml.Delete delete = DeleteXml.parse(body, MAX_DELETE_KEYS);
        boolean quiet = delete.quiet();
        XmlWriter xml = XmlWriter.create().root("DeleteResult");
        for (DeleteXml.Entry entry : delete.objects()) {
            String k = entry.key();
            String versionId = entry.versionId();
            try {
                if (versionId != null && !ObjectVersion.isWellFormedVersionId(versionId)) {
                    xml.start("Error").element("Key", k).element("VersionId", versionId)
                            .element("Code", S3Error.NO_SUCH_VERSION.code())
                            .element("Message", "The specified version does not exist.").end();
                    continue;
                }
                ObjectKey key = new ObjectKey(k);
                // S3 authorizes each key and reports refusals per key.
                if (!access.allowed(r, r.auth(), versionId != null ? "s3:DeleteObjectVersion" : "s3:DeleteObject",
                        bucket, key, Map.of())) {
                    xml.start("Error").element("Key", k).element("Code", S3Error.ACCESS_DENIED.code())
                            .element("Message", S3Error.ACCESS_DENIED.message()).end();
                    continue;
                }
                if (versionId != null) {
                    Optional<ObjectVersion> removed = service.deleteVersion(bucket, key, versionId);
                    if (!quiet) {
                        xml.start("Deleted").element("Key", k).element("VersionId", versionId);
                        if (removed.isPresent() && removed.get().deleteMarker()) {
                            xml.element("DeleteMarker", true).element("DeleteMarkerVersionId", versionId);
                        }
                        xml.end();
                    }
                } else {
                    WriteCondition condition = entry.etag() == null ? WriteCondition.NONE
                            : Conditions.ifMatch(entry.etag());
                    DeleteResult result;
                    try {
                        result = service.delete(bucket, key, condition);
                    } catch (NamespaceException e) {
                        // The key's condition failed: reported for this key, the batch goes on.
                        S3Exception failed = Conditions.failed(e, condition, bucket, key) instanceof S3Exception s3
                                ? s3 : ErrorMapping.toS3(e);
                        xml.start("Error").element("Key", k).element("Code", failed.error().code())
                                .element("Message", failed.getMessage()).end();
                        continue;
                    }
                    if (!quiet) {
                        xml.start("Deleted").element("Key", k);
                        if (result.marker().isPresent()) {
                            xml.element("DeleteMarker", true)
                                    .element("DeleteMarkerVersionId", result.marker().get().versionId());
                        }
                        xml.end();
                    }
                }
            } catch (IllegalArgumentException e) {
                xml.start("Error").element("Key", k).element("Code", S3Error.KEY_TOO_LONG.code())
                        .element("Message", S3Error.KEY_TOO_LONG.message()).end();
            } catch (RuntimeException e) {
                // The client learns only that this key failed (S3 answers per key, and the rest of the
                // batch goes on); the operator needs the cause, which the response must not carry.
                LOG.warn("DeleteObjects ({}): deleting bucket={} key={} version={} failed", r.requestId(), bucket, k,
                        versionId, e);
                xml.start("Error").element("Key", k).element("Code", S3Error.INTERNAL_ERROR.code())
                        .element("Message", S3Error.INTERNAL_ERROR.message()).end();
            }
        }
        Responses.xml(res, xml);
    }
}
