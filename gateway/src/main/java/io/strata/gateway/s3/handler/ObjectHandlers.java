package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.CannedAcl;
import io.strata.auth.VerifiedBody;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.http.ReadAhead;
import io.strata.gateway.objects.ObjectService;
import io.strata.tiering.placement.PlacementService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.AddressedVersion;
import io.strata.gateway.s3.BrokenBodyException;
import io.strata.gateway.s3.Conditions;
import io.strata.gateway.s3.CopySource;
import io.strata.gateway.s3.Ranges;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.RestoreRequestXml;
import io.strata.gateway.s3.xml.Tagging;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.DeleteResult;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.WriteCondition;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * Single-object operations: PUT, GET, HEAD, DELETE, copy and RestoreObject, with S3's
 * versioning rules (version ids, delete markers, {@code versionId} on GET/HEAD/DELETE).
 */
final class ObjectHandlers {
    /** Helidon copies the first write into the header buffer: keep it small, then write full blocks (docs/traps.md). */
    private static final int FIRST_WRITE = 16 << 10;
    private static final int WRITE_BLOCK = 256 << 10;
    /**
     * Bodies from this size are read ahead while sent, at most {@link #READ_AHEAD_DEPTH} blocks (2 MiB)
     * ahead, unless the stream has them all in memory already ({@code available()}).
     */
    private static final long READ_AHEAD_MIN = 1 << 20;
    private static final int READ_AHEAD_DEPTH = 8;

    private final ObjectService service;
    private final AccessControl access;
    /** Objective-based placement, when the gateway runs it (tests of the hot path may not). */
    private final Optional<PlacementService> placement;

    ObjectHandlers(ObjectService service, AccessControl access, Optional<PlacementService> placement) {
        this.service = service;
        this.access = access;
        this.placement = placement;
    }

    void putObject(S3Request r, ServerResponse res) {
        // A replica write from another Strata site keeps the source's identity: its own path.
        if (ReplicaWrites.isReplica(r)) {
            ReplicaWrites.put(service, r, res);
            return;
        }
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        long length = Uploads.length(r, Uploads.MAX_PUT_SIZE);
        ObjectService.Metadata meta = Uploads.metadata(r);
        Bucket b = service.requireBucket(bucket);
        WriteCondition condition = Conditions.write(r);
        try (InputStream raw = r.http().content().inputStream(); VerifiedBody body = r.auth().body(raw)) {
            ObjectService.Expectations expect = Uploads.expectations(r, body);
            ObjectVersion v;
            try {
                v = service.put(bucket, key, body, length, meta, expect, condition);
            } catch (NamespaceException e) {
                throw Conditions.failed(e, condition, bucket, key);
            }
            // The state may have changed during the upload; the committed id tells what happened.
            versionIdHeader(res, b, v);
            res.header("ETag", "\"" + v.etag() + "\"");
            checksumHeaders(res, v);
            expirationHeader(res, v);
            res.status(Status.OK_200).send();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code x-amz-expiration: expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="ID"} when an
     * enabled lifecycle Expiration (Days or Date) selects the object, as S3 answers PUT, HEAD and
     * GET: the earliest such date, days rounded up to midnight UTC as the lifecycle worker acts.
     */
    private void expirationHeader(ServerResponse res, ObjectVersion v) {
        expirationHeader(service, res, v);
    }

    /**
     * {@code x-amz-expiration} when an enabled lifecycle expiration rule selects {@code v}: S3 sends it
     * on every response that creates or returns an object (PUT, Complete, Copy, HEAD, GET), so SDKs
     * can show when the object will go.
     */
    static void expirationHeader(ObjectService service, ServerResponse res, ObjectVersion v) {
        service.lifecycle(v.bucket())
                .flatMap(c -> c.expiry(v.key().value(), v.size(), v.tags(), v.lastModified()))
                .ifPresent(e -> res.header("x-amz-expiration", "expiry-date=\"" + Encoding.httpDate(e.date())
                        + "\", rule-id=\"" + e.ruleId() + "\""));
    }

    void copyObject(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        Bucket targetBucket = service.requireBucket(bucket);
        // If-None-Match/If-Match are about the target key (AWS's conditional copy); the source has its own x-amz-copy-source-if-*.
        WriteCondition condition = Conditions.write(r);
        CopySource source = CopySource.resolve(r, service, access);
        ObjectVersion src = source.version();
        BucketName srcBucket = source.bucket();
        ObjectKey srcKey = source.key();
        String versionId = source.requestedVersionId();
        if (src.size() > Uploads.MAX_PUT_SIZE) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
        }
        String directive = r.header("x-amz-metadata-directive").orElse("COPY").trim();
        ObjectService.Metadata meta;
        switch (directive) {
            case "COPY" -> {
                // Copying a named version onto its own key is how S3 restores an old version.
                if (srcBucket.equals(bucket) && srcKey.equals(key) && versionId == null) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "This copy request is illegal because it is trying to copy an "
                            + "object to itself without changing the object's metadata, storage class, website redirect "
                            + "location or encryption attributes.");
                }
                // The ACL is never copied: the new object gets the request's x-amz-acl, else private (as S3).
                // The copy's checksums are computed over its whole bytes: FULL_OBJECT, whatever the source's were.
                String acl = Uploads.cannedAcl(r).map(CannedAcl::header).orElse(ObjectAttributes.PRIVATE);
                meta = new ObjectService.Metadata(src.contentType(), src.headers(), src.userMetadata(),
                        ObjectAttributes.NONE.withCannedAcl(acl));
            }
            case "REPLACE" -> meta = Uploads.metadata(r);
            default -> throw new S3Exception(S3Error.INVALID_ARGUMENT, "Unknown metadata directive.")
                    .with("ArgumentName", "x-amz-metadata-directive").with("ArgumentValue", directive);
        }
        // Tags follow x-amz-tagging-directive, independently of the metadata directive (COPY by default).
        String taggingDirective = r.header("x-amz-tagging-directive").orElse("COPY").trim();
        Map<String, String> tags = switch (taggingDirective) {
            case "COPY" -> src.tags();
            case "REPLACE" -> Tagging.fromHeader(r);
            default -> throw new S3Exception(S3Error.INVALID_ARGUMENT, "Unknown tagging directive.")
                    .with("ArgumentName", "x-amz-tagging-directive").with("ArgumentValue", taggingDirective);
        };
        meta = meta.withAttributes(meta.attributes().withTags(tags));
        ObjectVersion v;
        try {
            v = service.copy(src, bucket, key, meta, condition);
        } catch (NamespaceException e) {
            throw Conditions.failed(e, condition, bucket, key);
        }
        versionIdHeader(res, targetBucket, v);
        source.versionHeader(res);
        expirationHeader(res, v);
        XmlWriter xml = XmlWriter.create().root("CopyObjectResult")
                .element("LastModified", Encoding.isoDate(v.lastModified()))
                .element("ETag", "\"" + v.etag() + "\"");
        for (var c : v.checksums().entrySet()) xml.element("Checksum" + c.getKey(), c.getValue());
        Responses.xml(res, xml);
    }

    void getObject(S3Request r, ServerResponse res, boolean head) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        Bucket b = service.requireBucket(bucket);
        ObjectVersion v = readable(r, b, key, res);
        if (Conditions.get(r, v, res)) return;

        long offset = 0;
        long length = v.size();
        boolean partial = false;
        Optional<String> rangeHeader = r.header("range");
        Optional<Integer> partNumber = partNumberParam(r);
        if (partNumber.isPresent()) {
            if (rangeHeader.isPresent()) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "Cannot specify both Range header and partNumber query parameter");
            }
            long[] part = Ranges.partRange(v, partNumber.get());
            offset = part[0];
            length = part[1];
            // An empty part has no byte range to name (bytes 0--1/0): it is answered as a plain 200.
            partial = length > 0;
        } else if (rangeHeader.isPresent()) {
            Optional<long[]> range = Ranges.parseRange(rangeHeader.get(), v.size());
            if (range.isPresent()) {
                offset = range.get()[0];
                length = range.get()[1] - offset + 1;
                partial = true;
            }
        }
        versionIdHeader(res, b, v);
        res.header("ETag", "\"" + v.etag() + "\"");
        res.header("Last-Modified", Encoding.httpDate(v.lastModified()));
        res.header("Accept-Ranges", "bytes");
        res.header("Content-Type", r.param("response-content-type").orElse(v.contentType()));
        for (String h : Uploads.STORED_HEADERS) {
            String override = r.param("response-" + h).orElse(null);
            String value = override != null ? override : v.headers().get(h);
            if (value != null) res.header(h, value);
        }
        for (Map.Entry<String, String> m : v.userMetadata().entrySet()) {
            res.header("x-amz-meta-" + m.getKey(), Encoding.rfc2047Encode(m.getValue()));
        }
        if (v.partCount() > 0) res.header("x-amz-mp-parts-count", Integer.toString(v.partCount()));
        int tagCount = v.tags().size();
        if (tagCount > 0) res.header("x-amz-tagging-count", Integer.toString(tagCount));
        res.header("x-amz-storage-class", io.strata.tiering.TierMover.storageClass(v));
        // S3 sends the header only for versions a replication rule selected (and on replicas).
        io.strata.namespace.ReplicationStatus replication = v.attributes().replicationStatus();
        if (replication != io.strata.namespace.ReplicationStatus.NONE) res.header("x-amz-replication-status", replication.name());
        expirationHeader(res, v);
        if (placement.map(p -> p.restoring(v)).orElse(false)) {
            res.header("x-amz-restore", "ongoing-request=\"true\"");
        }
        // A GET (not a HEAD) counts as an access: it keeps a hot version hot and may promote a cold one.
        if (!head) placement.ifPresent(p -> p.observeRead(v));
        // A full-object checksum describes the whole object: never on a ranged response (SDKs would fail it).
        if (r.header("x-amz-checksum-mode").map(m -> m.equalsIgnoreCase("ENABLED")).orElse(false)) {
            if (!partial || partNumber.isPresent() && v.partCount() == 0) {
                checksumHeaders(res, v);
            } else if (partNumber.isPresent() && !v.partChecksums().isEmpty()) {
                // One part: its own checksum, which describes exactly the bytes sent (the SDK validates it).
                Map<String, String> part = v.partChecksums().get(partNumber.get() - 1);
                for (var c : part.entrySet()) {
                    ChecksumAlgorithm.parse(c.getKey()).ifPresent(a -> res.header(a.headerName(), c.getValue()));
                }
                if (!part.isEmpty()) res.header("x-amz-checksum-type", ChecksumType.FULL_OBJECT.name());
            }
        }
        if (partial) {
            res.status(Status.PARTIAL_CONTENT_206);
            res.header("Content-Range", "bytes " + offset + "-" + (offset + length - 1) + "/" + v.size());
        } else {
            res.status(Status.OK_200);
        }
        res.header("Content-Length", Long.toString(length));
        if (head) {
            res.send();
            return;
        }
        if (length == 0) {
            res.send();
            return;
        }
        // Opening reads and verifies the first hot stripe or cold block: data that is damaged or out of
        // reach from its start fails here, while the status line can still become an S3 error.
        InputStream opened = service.open(v, offset, length);
        ResponseBody out = new ResponseBody(res);
        try (StoreReads in = new StoreReads(opened)) {
            // Only what is still to be read gains from a second thread: a body the store has read
            // and verified whole already (one stripe, loaded before the headers) is copied out here.
            if (length >= READ_AHEAD_MIN && in.available() < length) {
                ReadAhead.copy(in, out, length, FIRST_WRITE, WRITE_BLOCK, READ_AHEAD_DEPTH);
            } else {
                copy(in, out, length);
            }
            out.close();
        } catch (StoreReads.Failure e) {
            if (!out.started()) throw e.unwrap();
            String store = io.strata.tiering.TierMover.coldName(v).map(c -> "tier " + c.tier()).orElse("hot tier");
            throw BrokenBodyException.storeFailed(store, v, e.getCause());
        } catch (IOException | RuntimeException e) {
            // The client's side failed (it went away, or stalled; Helidon reports some of it unchecked).
            // Once the headers are out no error document can follow: the connection is dropped.
            if (out.started()) throw BrokenBodyException.clientFailed(v, e);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * The response's output stream, requested at the first write: Helidon freezes status and headers
     * once the stream is requested, so until a byte is written a failure can still be answered with
     * S3's error document. Closing it ends the response; a failed body is never closed (a close would
     * send it as if it were whole), the connection is dropped instead.
     */
    private static final class ResponseBody extends OutputStream {
        private final ServerResponse res;
        private OutputStream out;

        ResponseBody(ServerResponse res) {
            this.res = res;
        }

        boolean started() {
            return out != null;
        }

        private OutputStream stream() {
            if (out == null) out = res.outputStream();
            return out;
        }

        @Override
        public void write(int b) throws IOException {
            stream().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            stream().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (out != null) out.flush();
        }

        @Override
        public void close() throws IOException {
            stream().close();
        }
    }

    /**
     * RestoreObject ({@code POST /key?restore}, by {@code versionId} too): here a move of a cold
     * version into the hot tier, in the background. {@code 202 Accepted} when the move starts,
     * {@code 200 OK} when the version is already hot (AWS: the restored copy exists),
     * {@code 409 RestoreAlreadyInProgress} while it moves. The body is S3's RestoreRequest, checked
     * (Days a positive integer, GlacierJobParameters/Tier Standard, Bulk or Expedited: the tier of a
     * Glacier retrieval has no meaning here); SELECT restores answer 501.
     */
    void restoreObject(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        ObjectVersion v = readable(r, b, r.key(), res);
        RestoreRequestXml.check(Responses.readSmallBody(r));
        PlacementService running = placement.orElseThrow(() ->
                new S3Exception(S3Error.NOT_IMPLEMENTED, "Placement is not running."));
        switch (running.restore(v)) {
            case STARTED -> res.status(Status.ACCEPTED_202).send();
            case ALREADY_HOT -> res.status(Status.OK_200).send();
            case ONGOING -> throw new S3Exception(S3Error.RESTORE_ALREADY_IN_PROGRESS);
        }
    }

    /**
     * Copies exactly {@code length} bytes: a small first write (Helidon copies it into the buffer of
     * the status line and headers), then blocks through one array, always written from offset 0
     * (docs/traps.md, helidon-io/helidon#11738). The array is refilled once its write has returned:
     * the server writes synchronously (blocking sockets, no write queue; see {@link ReadAhead}).
     */
    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        // A body longer than the first write goes through one pooled block, the first write from
        // its start too; a small one through an array of its size.
        byte[] buf = length > FIRST_WRITE ? takeBlock() : new byte[(int) length];
        try {
            long remaining = length;
            int want = (int) Math.min(FIRST_WRITE, remaining);
            while (remaining > 0) {
                int filled = ReadAhead.readFully(in, buf, want, remaining);
                out.write(buf, 0, filled);
                remaining -= filled;
                want = (int) Math.min(buf.length, remaining);
            }
        } finally {
            // Reusable once its last write has returned, failed or not: the server writes synchronously.
            if (buf.length == WRITE_BLOCK) giveBlock(buf);
        }
    }

    /**
     * Write blocks of finished GETs, kept for the next: each 1 MiB GET allocated 272 KiB of arrays
     * for its body. At most {@link #MAX_IDLE_BLOCKS} are kept (4 MiB); beyond that the garbage
     * collector takes them.
     */
    private static final java.util.concurrent.ConcurrentLinkedDeque<byte[]> IDLE_BLOCKS = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private static final java.util.concurrent.atomic.AtomicInteger IDLE_COUNT = new java.util.concurrent.atomic.AtomicInteger();
    private static final int MAX_IDLE_BLOCKS = 16;

    private static byte[] takeBlock() {
        byte[] buf = IDLE_BLOCKS.pollFirst();
        if (buf == null) return new byte[WRITE_BLOCK];
        IDLE_COUNT.decrementAndGet();
        return buf;
    }

    private static void giveBlock(byte[] buf) {
        if (IDLE_COUNT.incrementAndGet() <= MAX_IDLE_BLOCKS) {
            IDLE_BLOCKS.offerFirst(buf);
        } else {
            IDLE_COUNT.decrementAndGet();
        }
    }

    /** The {@code partNumber} query parameter of GET/HEAD. @throws S3Exception InvalidArgument outside 1..10000 */
    private static Optional<Integer> partNumberParam(S3Request r) {
        Optional<String> value = r.param("partNumber");
        if (value.isEmpty()) return Optional.empty();
        try {
            int n = S3Request.decimalInt(value.get());
            if (n >= 1 && n <= 10_000) return Optional.of(n);
        } catch (NumberFormatException e) {
            // the S3 error below
        }
        throw new S3Exception(S3Error.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive")
                .with("ArgumentName", "partNumber").with("ArgumentValue", value.get());
    }

    /**
     * The version a GET or HEAD reads: the one named by {@code versionId}, or the current one. A
     * delete marker answers as S3 does, with {@code x-amz-delete-marker: true}: 404 NoSuchKey when
     * it is current, 405 MethodNotAllowed when named by id.
     */
    private ObjectVersion readable(S3Request r, Bucket bucket, ObjectKey key, ServerResponse res) {
        Optional<String> versionId = AddressedVersion.versionId(r);
        Optional<ObjectVersion> found = AddressedVersion.find(service, bucket.name(), key, versionId);
        if (versionId.isPresent()) {
            ObjectVersion v = found.orElseThrow(() -> AddressedVersion.noSuchVersion(key, versionId.get()));
            if (v.deleteMarker()) {
                deleteMarkerHeaders(res, v);
                res.header("Allow", "DELETE");
                throw new S3Exception(S3Error.METHOD_NOT_ALLOWED).with("Method", r.method())
                        .with("ResourceType", "DeleteMarker");
            }
            return v;
        }
        ObjectVersion v = found.orElseThrow(() -> missing(r, bucket, key));
        if (v.deleteMarker()) {
            S3Exception e = missing(r, bucket, key);
            if (e.error() == S3Error.NO_SUCH_KEY) deleteMarkerHeaders(res, v);   // a denied caller learns nothing
            throw e;
        }
        return v;
    }

    /**
     * A key that does not exist is 404 NoSuchKey only to a caller who may list the bucket
     * (s3:ListBucket); others get 403 AccessDenied, as on S3, so that reads granted by a policy do
     * not reveal which keys exist.
     */
    private S3Exception missing(S3Request r, Bucket bucket, ObjectKey key) {
        if (!access.allowed(r, r.auth(), "s3:ListBucket", bucket.name(), null, Map.of())) return AccessControl.denied();
        return AddressedVersion.noSuchKey(bucket.name(), key);
    }

    private static void deleteMarkerHeaders(ServerResponse res, ObjectVersion marker) {
        res.header("x-amz-delete-marker", "true");
        res.header("x-amz-version-id", marker.versionId());
        res.header("Last-Modified", Encoding.httpDate(marker.lastModified()));
    }

    /**
     * S3 returns {@code x-amz-version-id} for every version once the bucket has versioning configured
     * (enabled or suspended: then also "null"), and never for objects of a never-versioned bucket.
     */
    static void versionIdHeader(ServerResponse res, Bucket bucket, ObjectVersion v) {
        versionIdHeader(res, bucket, v.versionId());
    }

    static void versionIdHeader(ServerResponse res, Bucket bucket, String versionId) {
        if (bucket.versioning() != BucketVersioning.UNVERSIONED || !versionId.equals(ObjectVersion.NULL_VERSION)) {
            res.header("x-amz-version-id", versionId);
        }
    }

    void deleteObject(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        service.requireBucket(bucket);
        Optional<String> versionId = AddressedVersion.versionId(r);
        if (versionId.isPresent()) {
            // Permanent delete; an id that names nothing is still a success, as in S3.
            Optional<ObjectVersion> removed = service.deleteVersion(bucket, key, versionId.get());
            res.header("x-amz-version-id", versionId.get());
            if (removed.isPresent() && removed.get().deleteMarker()) res.header("x-amz-delete-marker", "true");
        } else {
            WriteCondition condition = Conditions.delete(r);
            DeleteResult result;
            try {
                result = service.delete(bucket, key, condition);
            } catch (NamespaceException e) {
                throw Conditions.failed(e, condition, bucket, key);
            }
            result.marker().ifPresent(m -> {
                res.header("x-amz-delete-marker", "true");
                res.header("x-amz-version-id", m.versionId());
            });
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    static void checksumHeaders(ServerResponse res, ObjectVersion v) {
        for (var c : v.checksums().entrySet()) {
            ChecksumAlgorithm.parse(c.getKey()).ifPresent(a -> res.header(a.headerName(), c.getValue()));
        }
        if (!v.checksums().isEmpty()) res.header("x-amz-checksum-type", v.checksumType().name());
    }

}
