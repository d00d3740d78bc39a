package io.strata.gateway.s3.handler;

import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AddressedVersion;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.Bucket;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * GetObjectAttributes ({@code GET ?attributes},
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html): the attributes named
 * in {@code x-amz-object-attributes} of the current or a named version, without its data.
 * Thread-safe.
 */
final class ObjectAttributesHandler {
    private static final Set<String> ATTRIBUTES = Set.of("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize");
    private static final int MAX_PARTS = 1000;

    private final ObjectService service;

    ObjectAttributesHandler(ObjectService service) {
        this.service = service;
    }

    void handle(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        ObjectKey key = r.key();
        Set<String> wanted = new LinkedHashSet<>();
        for (String values : r.headers().getOrDefault("x-amz-object-attributes", List.of())) {
            for (String a : values.split(",")) {
                String name = a.trim();
                if (name.isEmpty()) continue;
                if (!ATTRIBUTES.contains(name)) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid attribute name specified.")
                            .with("ArgumentName", "x-amz-object-attributes").with("ArgumentValue", name);
                }
                wanted.add(name);
            }
        }
        if (wanted.isEmpty()) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "The x-amz-object-attributes header specifying the attributes "
                    + "to be retrieved is either missing or empty");
        }
        int maxParts = intHeader(r, "x-amz-max-parts", MAX_PARTS);
        int marker = intHeader(r, "x-amz-part-number-marker", 0);
        ObjectVersion v = readable(r, b, key, res);

        ObjectHandlers.versionIdHeader(res, b, v);
        res.header("Last-Modified", Encoding.httpDate(v.lastModified()));
        XmlWriter xml = XmlWriter.create().root("GetObjectAttributesResponse");
        if (wanted.contains("ETag")) xml.element("ETag", v.etag());   // unquoted, as S3 returns it here
        if (wanted.contains("Checksum") && !v.checksums().isEmpty()) {
            xml.start("Checksum");
            for (var c : v.checksums().entrySet()) xml.element("Checksum" + c.getKey(), c.getValue());
            xml.element("ChecksumType", v.checksumType().name()).end();
        }
        if (wanted.contains("ObjectParts") && v.partCount() > 0) {
            xml.start("ObjectParts").element("PartsCount", v.partCount());
            // Part details: a multipart object's segments are its parts in order (never copied on completion).
            List<Segment> segments = v.segments();
            if (segments.size() == v.partCount()) {
                int end = (int) Math.min((long) marker + maxParts, segments.size());
                xml.element("PartNumberMarker", marker);
                if (end > marker) xml.element("NextPartNumberMarker", end);
                xml.element("MaxParts", maxParts).element("IsTruncated", end < segments.size());
                for (int i = marker; i < end; i++) {
                    xml.start("Part").element("PartNumber", i + 1).element("Size", segments.get(i).size()).end();
                }
            }
            xml.end();
        }
        if (wanted.contains("StorageClass")) xml.element("StorageClass", io.strata.tiering.TierMover.storageClass(v));
        if (wanted.contains("ObjectSize")) xml.element("ObjectSize", v.size());
        Responses.xml(res, xml.end());
    }

    /** The addressed version; a current delete marker is 404 NoSuchKey with x-amz-delete-marker, as S3 answers. */
    private ObjectVersion readable(S3Request r, Bucket b, ObjectKey key, ServerResponse res) {
        Optional<String> versionId = AddressedVersion.versionId(r);
        Optional<ObjectVersion> v = AddressedVersion.find(service, b.name(), key, versionId);
        if (v.isPresent() && v.get().deleteMarker()) {
            res.header("x-amz-delete-marker", "true");
            ObjectHandlers.versionIdHeader(res, b, v.get());
            if (versionId.isPresent()) {
                throw new S3Exception(S3Error.METHOD_NOT_ALLOWED).with("Method", "GET").with("ResourceType", "DeleteMarker");
            }
        }
        if (v.isEmpty() || v.get().deleteMarker()) {
            if (versionId.isPresent()) {
                throw new S3Exception(S3Error.NO_SUCH_VERSION).with("Key", key.value()).with("VersionId", versionId.get());
            }
            throw new S3Exception(S3Error.NO_SUCH_KEY, S3Error.NO_SUCH_KEY.message(), "/" + b.name() + "/" + key.value())
                    .with("Key", key.value());
        }
        return v.get();
    }

    private static int intHeader(S3Request r, String name, int dflt) {
        Optional<String> value = r.header(name);
        if (value.isEmpty()) return dflt;
        try {
            int n = S3Request.decimalInt(value.get());
            if (n < 0) throw new NumberFormatException();
            return name.equals("x-amz-max-parts") ? Math.min(n, MAX_PARTS) : n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Provided " + name + " not an integer or within integer range")
                    .with("ArgumentName", name).with("ArgumentValue", value.get());
        }
    }
}
