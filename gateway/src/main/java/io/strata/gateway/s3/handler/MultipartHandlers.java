package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.VerifiedBody;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.Conditions;
import io.strata.gateway.s3.CopySource;
import io.strata.gateway.s3.Ranges;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.CompleteMultipartUploadXml;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.CompletedUpload;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Part;
import io.strata.namespace.UploadPage;
import io.strata.namespace.WriteCondition;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Multipart upload: parts are coded into the hot tier as they arrive and never copied again on completion. */
final class MultipartHandlers {
    private static final int MAX_PARTS = 10_000;


    private final ObjectService service;
    private final AccessControl access;

    MultipartHandlers(ObjectService service, AccessControl access) {
        this.service = service;
        this.access = access;
    }

    void create(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        ObjectService.Metadata meta = Uploads.metadata(r);
        Optional<ChecksumAlgorithm> checksum = r.header("x-amz-checksum-algorithm")
                .map(a -> ChecksumAlgorithm.parse(a).orElseThrow(() -> new S3Exception(S3Error.INVALID_REQUEST,
                        "Checksum algorithm provided is unsupported.")));
        String algorithm = checksum.map(Enum::name).orElse("");
        Optional<ChecksumType> type = Uploads.multipartChecksumType(checksum, r.header("x-amz-checksum-type"));
        if (type.isPresent()) meta = meta.withAttributes(meta.attributes().withChecksumType(type.get()));
        MultipartUpload upload = service.createUpload(bucket, key, r.auth().accessKey(), meta, algorithm);
        if (!algorithm.isEmpty()) res.header("x-amz-checksum-algorithm", algorithm);
        type.ifPresent(t -> res.header("x-amz-checksum-type", t.name()));
        Responses.xml(res, XmlWriter.create().root("InitiateMultipartUploadResult")
                .element("Bucket", bucket.value())
                .element("Key", key.value())
                .element("UploadId", upload.uploadId()));
    }

    void uploadPart(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        int partNumber = partNumber(r);
        String uploadId = r.param("uploadId").orElseThrow();
        long length = Uploads.length(r, Uploads.MAX_PUT_SIZE);
        service.requireBucket(bucket);
        service.upload(bucket, key, uploadId);
        try (InputStream raw = r.http().content().inputStream(); VerifiedBody body = r.auth().body(raw)) {
            ObjectService.Expectations expect = Uploads.expectations(r, body);
            Part part = service.uploadPart(bucket, key, uploadId, partNumber, body, length, expect);
            res.header("ETag", "\"" + part.etag() + "\"");
            for (var c : part.checksums().entrySet()) {
                ChecksumAlgorithm.parse(c.getKey()).ifPresent(a -> res.header(a.headerName(), c.getValue()));
            }
            res.status(Status.OK_200).send();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.UPLOAD_NOT_FOUND) {
                throw new S3Exception(S3Error.NO_SUCH_UPLOAD).with("UploadId", uploadId);
            }
            throw e;
        }
    }

    /**
     * UploadPartCopy: a part made of (a range of) an existing object. The bytes are read back and
     * coded again, so the new object never shares blobs with its source.
     * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
     */
    void uploadPartCopy(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        int partNumber = partNumber(r);
        String uploadId = r.param("uploadId").orElseThrow();
        service.requireBucket(bucket);
        service.upload(bucket, key, uploadId);
        CopySource source = CopySource.resolve(r, service, access);
        ObjectVersion src = source.version();
        long offset = 0;
        long length = src.size();
        Optional<String> range = r.header("x-amz-copy-source-range");
        if (range.isPresent()) {
            long[] bounds = Ranges.copyRange(range.get(), src.size());
            offset = bounds[0];
            length = bounds[1] - bounds[0] + 1;
        }
        if (length > Uploads.MAX_PUT_SIZE) {
            throw new S3Exception(S3Error.INVALID_REQUEST, range.isPresent()
                    ? "The specified copy range is larger than the maximum allowable size for a part: 5368709120"
                    : "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
        }
        Part part;
        try {
            part = service.uploadPartCopy(src, offset, length, bucket, key, uploadId, partNumber);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.UPLOAD_NOT_FOUND) {
                throw new S3Exception(S3Error.NO_SUCH_UPLOAD).with("UploadId", uploadId);
            }
            throw e;
        }
        source.versionHeader(res);
        XmlWriter xml = XmlWriter.create().root("CopyPartResult")
                .element("LastModified", Encoding.isoDate(part.lastModified()))
                .element("ETag", "\"" + part.etag() + "\"");
        for (var c : part.checksums().entrySet()) xml.element("Checksum" + c.getKey(), c.getValue());
        Responses.xml(res, xml);
    }

    private static int partNumber(S3Request r) {
        String value = r.param("partNumber").orElse("");
        try {
            int n = S3Request.decimalInt(value);
            if (n < Part.MIN_NUMBER || n > Part.MAX_NUMBER) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive")
                    .with("ArgumentName", "partNumber").with("ArgumentValue", value);
        }
    }

    void complete(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        String uploadId = r.param("uploadId").orElseThrow();
        Bucket b = service.requireBucket(bucket);
        WriteCondition condition = Conditions.write(r);
        byte[] body = Responses.readSmallBody(r);
        List<ObjectService.CompletedPart> requested = CompleteMultipartUploadXml.parse(body, MAX_PARTS);
        CompletedUpload v;
        try {
            // An upload completed already is answered from its record when the part list is the same.
            v = service.complete(bucket, key, uploadId, requested, Uploads.declaredObjectChecksums(r), condition);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.UPLOAD_NOT_FOUND) {
                throw new S3Exception(S3Error.NO_SUCH_UPLOAD).with("UploadId", uploadId);
            }
            throw Conditions.failed(e, condition, bucket, key);
        }
        String host = r.header("host").orElse("localhost");
        ObjectHandlers.versionIdHeader(res, b, v.versionId());
        // The rule is matched against the completed version (its size and tags); a retried Complete
        // whose version was deleted since answers without the header.
        if (service.lifecycle(bucket).isPresent()) {
            service.namespace().version(bucket, key, v.versionId()).ifPresent(done -> ObjectHandlers.expirationHeader(service, res, done));
        }
        XmlWriter xml = XmlWriter.create().root("CompleteMultipartUploadResult")
                .element("Location", "http://" + host + "/" + bucket.value() + "/" + Encoding.urlEncode(key.value()))
                .element("Bucket", bucket.value())
                .element("Key", key.value())
                .element("ETag", "\"" + v.etag() + "\"");
        for (var c : v.checksums().entrySet()) xml.element("Checksum" + c.getKey(), c.getValue());
        if (!v.checksums().isEmpty()) xml.element("ChecksumType", v.checksumType().name());
        Responses.xml(res, xml);
    }

    void abort(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        String uploadId = r.param("uploadId").orElseThrow();
        service.requireBucket(bucket);
        service.abort(bucket, key, uploadId);
        res.status(Status.NO_CONTENT_204).send();
    }

    void listParts(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        String uploadId = r.param("uploadId").orElseThrow();
        service.requireBucket(bucket);
        MultipartUpload upload = service.upload(bucket, key, uploadId);
        int marker = intParam(r, "part-number-marker", 0, 0, MAX_PARTS);
        int max = intParam(r, "max-parts", 1000, 0, Integer.MAX_VALUE);
        max = Math.min(max, 1000);
        List<Part> page = service.namespace().parts(bucket, key, uploadId, marker, max + 1);
        boolean truncated = page.size() > max;
        if (truncated) page = page.subList(0, max);
        boolean url = BucketHandlers.encodingType(r);
        XmlWriter xml = XmlWriter.create().root("ListPartsResult")
                .element("Bucket", bucket.value())
                .element("Key", BucketHandlers.enc(key.value(), url))
                .element("UploadId", uploadId)
                .element("PartNumberMarker", marker);
        if (!page.isEmpty()) xml.element("NextPartNumberMarker", page.getLast().partNumber());
        xml.element("MaxParts", max).element("IsTruncated", truncated);
        if (url) xml.element("EncodingType", "url");
        if (!upload.checksumAlgorithm().isEmpty()) {
            xml.element("ChecksumAlgorithm", upload.checksumAlgorithm())
                    .element("ChecksumType", upload.checksumType().name());
        }
        for (Part p : page) {
            xml.start("Part").element("PartNumber", p.partNumber())
                    .element("LastModified", Encoding.isoDate(p.lastModified()))
                    .element("ETag", "\"" + p.etag() + "\"")
                    .element("Size", p.size());
            for (var c : p.checksums().entrySet()) xml.element("Checksum" + c.getKey(), c.getValue());
            xml.end();
        }
        Responses.ownerElement(xml, "Initiator", upload.owner());
        Responses.ownerElement(xml, "Owner", upload.owner());
        xml.element("StorageClass", "STANDARD");
        Responses.xml(res, xml);
    }

    void listUploads(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        Bucket b = service.namespace().bucket(bucket).orElseThrow(() -> BucketHandlers.noSuchBucket(bucket.value()));
        String prefix = r.param("prefix").orElse("");
        String delimiter = r.param("delimiter").orElse("");
        String keyMarker = r.param("key-marker").orElse("");
        String uploadIdMarker = keyMarker.isEmpty() ? "" : r.param("upload-id-marker").orElse("");
        int max = Math.min(intParam(r, "max-uploads", 1000, 0, Integer.MAX_VALUE), 1000);
        boolean url = BucketHandlers.encodingType(r);
        UploadPage page = service.namespace().uploads(bucket, prefix, delimiter, keyMarker, uploadIdMarker, max);
        XmlWriter xml = XmlWriter.create().root("ListMultipartUploadsResult")
                .element("Bucket", bucket.value())
                .element("KeyMarker", BucketHandlers.enc(keyMarker, url))
                .element("UploadIdMarker", uploadIdMarker);
        xml.element("NextKeyMarker", BucketHandlers.enc(Optional.ofNullable(page.nextKeyMarker()).orElse(""), url))
                .element("NextUploadIdMarker", Optional.ofNullable(page.nextUploadIdMarker()).orElse(""));
        if (!prefix.isEmpty()) xml.element("Prefix", BucketHandlers.enc(prefix, url));
        if (!delimiter.isEmpty()) xml.element("Delimiter", BucketHandlers.enc(delimiter, url));
        xml.element("MaxUploads", max).element("IsTruncated", page.truncated());
        if (url) xml.element("EncodingType", "url");
        for (MultipartUpload u : page.uploads()) {
            xml.start("Upload").element("Key", BucketHandlers.enc(u.key().value(), url))
                    .element("UploadId", u.uploadId());
            Responses.ownerElement(xml, "Initiator", u.owner());
            Responses.ownerElement(xml, "Owner", b.owner());
            xml.element("StorageClass", "STANDARD")
                    .element("Initiated", Encoding.isoDate(u.initiated()));
            if (!u.checksumAlgorithm().isEmpty()) {
                xml.element("ChecksumAlgorithm", u.checksumAlgorithm())
                        .element("ChecksumType", u.checksumType().name());
            }
            xml.end();
        }
        for (String p : page.commonPrefixes()) {
            xml.start("CommonPrefixes").element("Prefix", BucketHandlers.enc(p, url)).end();
        }
        Responses.xml(res, xml);
    }

    private static int intParam(S3Request r, String name, int dflt, int min, int max) {
        Optional<String> v = r.param(name);
        if (v.isEmpty()) return dflt;
        try {
            int n = S3Request.decimalInt(v.get());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Provided " + name + " not an integer or within integer range")
                    .with("ArgumentName", name).with("ArgumentValue", v.get());
        }
    }
}
