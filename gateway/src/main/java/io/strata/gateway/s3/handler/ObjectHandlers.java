package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.VerifiedBody;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.http.ReadAhead;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.objects.StoredHeaders;
import io.strata.gateway.placement.PlacementService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.AddressedVersion;
import io.strata.gateway.s3.BrokenBodyException;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.DeleteXml;
import io.strata.gateway.s3.xml.RestoreRequestXml;
import io.strata.gateway.s3.xml.Tagging;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.DeleteResult;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Single-object operations: PUT, GET, HEAD, DELETE, copy, and multi-object delete, with S3's
 * versioning rules (version ids, delete markers, {@code versionId} on GET/HEAD/DELETE).
 */
final class ObjectHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectHandlers.class);
    /** Helidon copies the first write into the header buffer: keep it small, then write full blocks (docs/traps.md). */
    private static final int FIRST_WRITE = 16 << 10;
    private static final int WRITE_BLOCK = 256 << 10;
    /**
     * Bodies from this size are read ahead while sent, at most {@link #READ_AHEAD_DEPTH} blocks (2 MiB)
     * ahead, unless the stream has them all in memory already ({@code available()}).
     */
    private static final long READ_AHEAD_MIN = 1 << 20;
    private static final int READ_AHEAD_DEPTH = 8;
    private static final int MAX_DELETE_KEYS = 1000;

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
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        long length = Uploads.length(r, Uploads.MAX_PUT_SIZE);
        ObjectService.Metadata meta = Uploads.metadata(r);
        Bucket b = service.requireBucket(bucket);
        try (InputStream raw = r.http().content().inputStream(); VerifiedBody body = r.auth().body(raw)) {
            ObjectService.Expectations expect = Uploads.expectations(r, body);
            ObjectVersion v = service.put(bucket, key, body, length, meta, expect);
            // The state may have changed during the upload; the committed id tells what happened.
            versionIdHeader(res, b, v);
            res.header("ETag", "\"" + v.etag() + "\"");
            checksumHeaders(res, v);
            res.status(Status.OK_200).send();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The object an {@code x-amz-copy-source} names, after read access to it is checked.
     *
     * @param requestedVersionId the versionId in the header, or null for the current version
     * @param bucketState        the source bucket (its versioning decides x-amz-copy-source-version-id)
     */
    record CopySource(BucketName bucket, ObjectKey key, String requestedVersionId, Bucket bucketState,
                      ObjectVersion version) {
        /** S3 names the source version when one was asked for or the source bucket has versioning. */
        void versionHeader(ServerResponse res) {
            if (requestedVersionId != null || bucketState.versioning() != BucketVersioning.UNVERSIONED) {
                res.header("x-amz-copy-source-version-id", version.versionId());
            }
        }
    }

    /** Resolves and authorizes the copy source of CopyObject and UploadPartCopy, then checks its x-amz-copy-source-if-*. */
    CopySource copySource(S3Request r) {
        String source = r.header("x-amz-copy-source").orElseThrow();
        String path = source;
        int q = path.indexOf('?');
        String versionId = null;
        if (q >= 0) {
            var params = S3Request.parseQuery(path.substring(q + 1));
            versionId = params.get("versionId");
            path = path.substring(0, q);
        }
        try {
            path = Encoding.percentDecode(path, false);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid copy source encoding.");
        }
        if (path.startsWith("/")) path = path.substring(1);
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
                    .with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", source);
        }
        String srcBucketName = path.substring(0, slash);
        if (!BucketName.isValid(srcBucketName)) {
            throw new S3Exception(S3Error.INVALID_BUCKET_NAME).with("BucketName", srcBucketName);
        }
        BucketName srcBucket = new BucketName(srcBucketName);
        ObjectKey srcKey;
        try {
            srcKey = new ObjectKey(path.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.KEY_TOO_LONG);
        }
        if (versionId != null && !ObjectVersion.isWellFormedVersionId(versionId)) {
            throw AddressedVersion.invalidVersionId(versionId);
        }
        Bucket sourceBucket = service.requireBucket(srcBucket);
        // Copying reads the source: S3 checks read access to it as well as s3:PutObject on the target.
        access.require(r, r.auth(), versionId != null ? "s3:GetObjectVersion" : "s3:GetObject", srcBucket, srcKey);
        ObjectVersion src;
        Optional<ObjectVersion> found = AddressedVersion.find(service, srcBucket, srcKey, Optional.ofNullable(versionId));
        if (versionId != null) {
            String id = versionId;
            src = found.orElseThrow(() -> noSuchVersion(srcKey, id));
            if (src.deleteMarker()) {
                // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
                throw new S3Exception(S3Error.INVALID_REQUEST,
                        "The source of a copy request may not specifically refer to a delete marker by version id.");
            }
        } else {
            src = found.filter(v -> !v.deleteMarker()).orElseThrow(() -> noSuchKey(srcBucket, srcKey));
        }
        copyPreconditions(r, src);
        return new CopySource(srcBucket, srcKey, versionId, sourceBucket, src);
    }

    void copyObject(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        Bucket targetBucket = service.requireBucket(bucket);
        CopySource source = copySource(r);
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
                Map<String, String> headers = new java.util.TreeMap<>(src.headers());
                headers.remove(StoredHeaders.ACL_HEADER);
                // The copy's checksums are computed over its whole bytes: FULL_OBJECT, whatever the source's were.
                headers.remove(StoredHeaders.CHECKSUM_TYPE_HEADER);
                Uploads.cannedAcl(r).ifPresent(acl -> headers.put(StoredHeaders.ACL_HEADER, acl.header()));
                meta = new ObjectService.Metadata(src.contentType(), headers, src.userMetadata());
            }
            case "REPLACE" -> meta = Uploads.metadata(r);
            default -> throw new S3Exception(S3Error.INVALID_ARGUMENT, "Unknown metadata directive.")
                    .with("ArgumentName", "x-amz-metadata-directive").with("ArgumentValue", directive);
        }
        // Tags follow x-amz-tagging-directive, independently of the metadata directive (COPY by default).
        String taggingDirective = r.header("x-amz-tagging-directive").orElse("COPY").trim();
        Map<String, String> tags = switch (taggingDirective) {
            case "COPY" -> StoredHeaders.tags(src.headers());
            case "REPLACE" -> Tagging.fromHeader(r);
            default -> throw new S3Exception(S3Error.INVALID_ARGUMENT, "Unknown tagging directive.")
                    .with("ArgumentName", "x-amz-tagging-directive").with("ArgumentValue", taggingDirective);
        };
        meta = new ObjectService.Metadata(meta.contentType(), StoredHeaders.withTags(meta.headers(), tags), meta.userMetadata());
        ObjectVersion v = service.copy(src, bucket, key, meta);
        versionIdHeader(res, targetBucket, v);
        source.versionHeader(res);
        XmlWriter xml = XmlWriter.create().root("CopyObjectResult")
                .element("LastModified", Encoding.isoDate(v.lastModified()))
                .element("ETag", "\"" + v.etag() + "\"");
        for (var c : v.checksums().entrySet()) xml.element("Checksum" + c.getKey(), c.getValue());
        Responses.xml(res, xml);
    }

    private static void copyPreconditions(S3Request r, ObjectVersion src) {
        Optional<String> ifMatch = r.header("x-amz-copy-source-if-match");
        Optional<String> ifNoneMatch = r.header("x-amz-copy-source-if-none-match");
        Optional<Instant> ifModified = r.header("x-amz-copy-source-if-modified-since").flatMap(ObjectHandlers::httpDate);
        Optional<Instant> ifUnmodified = r.header("x-amz-copy-source-if-unmodified-since").flatMap(ObjectHandlers::httpDate);
        Instant modified = src.lastModified().with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0);
        boolean ok = true;
        if (ifMatch.isPresent()) {
            ok = etagMatches(ifMatch.get(), src.etag());
        } else if (ifUnmodified.isPresent() && modified.isAfter(ifUnmodified.get())) {
            ok = false;
        }
        if (ifNoneMatch.isPresent()) {
            if (etagMatches(ifNoneMatch.get(), src.etag())) ok = false;
        } else if (ifModified.isPresent() && !modified.isAfter(ifModified.get())) {
            ok = false;
        }
        if (!ok) throw new S3Exception(S3Error.PRECONDITION_FAILED);
    }

    void getObject(S3Request r, ServerResponse res, boolean head) {
        BucketName bucket = r.bucket();
        ObjectKey key = r.key();
        Bucket b = service.requireBucket(bucket);
        ObjectVersion v = readable(r, b, key, res);
        if (preconditions(r, v, res)) return;

        long offset = 0;
        long length = v.size();
        boolean partial = false;
        Optional<String> rangeHeader = r.header("range");
        Optional<Integer> partNumber = partNumberParam(r);
        if (partNumber.isPresent()) {
            if (rangeHeader.isPresent()) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "Cannot specify both Range header and partNumber query parameter");
            }
            long[] part = partRange(v, partNumber.get());
            offset = part[0];
            length = part[1];
            // An empty part has no byte range to name (bytes 0--1/0): it is answered as a plain 200.
            partial = length > 0;
        } else if (rangeHeader.isPresent()) {
            Optional<long[]> range = parseRange(rangeHeader.get(), v.size());
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
            res.header("x-amz-meta-" + m.getKey(), m.getValue());
        }
        if (v.partCount() > 0) res.header("x-amz-mp-parts-count", Integer.toString(v.partCount()));
        int tagCount = StoredHeaders.tags(v.headers()).size();
        if (tagCount > 0) res.header("x-amz-tagging-count", Integer.toString(tagCount));
        res.header("x-amz-storage-class", io.strata.tiering.TierMover.storageClass(v));
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
                if (!part.isEmpty()) res.header("x-amz-checksum-type", StoredHeaders.FULL_OBJECT);
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
        long remaining = length;
        byte[] buf = new byte[(int) Math.min(FIRST_WRITE, remaining)];
        boolean first = true;
        while (remaining > 0) {
            int filled = ReadAhead.readFully(in, buf, (int) Math.min(buf.length, remaining), remaining);
            out.write(buf, 0, filled);
            remaining -= filled;
            if (first && remaining > 0) buf = new byte[(int) Math.min(WRITE_BLOCK, remaining)];
            first = false;
        }
    }

    /** Evaluates conditional headers as S3 does. Returns true if the response was already sent (304). */
    private static boolean preconditions(S3Request r, ObjectVersion v, ServerResponse res) {
        Optional<String> ifMatch = r.header("if-match");
        Optional<String> ifNoneMatch = r.header("if-none-match");
        Optional<Instant> ifModified = r.header("if-modified-since").flatMap(ObjectHandlers::httpDate);
        Optional<Instant> ifUnmodified = r.header("if-unmodified-since").flatMap(ObjectHandlers::httpDate);
        Instant modified = v.lastModified().with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0);
        if (ifMatch.isPresent()) {
            if (!etagMatches(ifMatch.get(), v.etag())) throw new S3Exception(S3Error.PRECONDITION_FAILED).with("Condition", "If-Match");
        } else if (ifUnmodified.isPresent() && modified.isAfter(ifUnmodified.get())) {
            throw new S3Exception(S3Error.PRECONDITION_FAILED).with("Condition", "If-Unmodified-Since");
        }
        boolean notModified = false;
        if (ifNoneMatch.isPresent()) {
            notModified = etagMatches(ifNoneMatch.get(), v.etag());
        } else if (ifModified.isPresent() && !modified.isAfter(ifModified.get())) {
            notModified = true;
        }
        if (notModified) {
            res.status(Status.NOT_MODIFIED_304);
            res.header("ETag", "\"" + v.etag() + "\"");
            res.header("Last-Modified", Encoding.httpDate(v.lastModified()));
            res.send();
            return true;
        }
        return false;
    }

    static boolean etagMatches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) c = c.substring(2);
            if (c.equals("*") || ObjectService.unquote(c).equals(etag)) return true;
        }
        return false;
    }

    static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();   // S3 ignores an unparseable date condition
        }
    }

    /**
     * Parses a single byte range as S3 does. Empty: ignore the header and send the whole object.
     *
     * @return inclusive {first, last}
     * @throws S3Exception InvalidRange when the range cannot be satisfied
     */
    static Optional<long[]> parseRange(String header, long size) {
        String h = header.trim();
        if (!h.startsWith("bytes=")) return Optional.empty();
        String spec = h.substring(6).trim();
        if (spec.contains(",")) return Optional.empty();
        int dash = spec.indexOf('-');
        if (dash < 0) return Optional.empty();
        long a = offset(spec.substring(0, dash).trim());
        long b = offset(spec.substring(dash + 1).trim());
        // Only a syntactically invalid header is ignored (AWS then sends the whole object, 200).
        if (a == NOT_DIGITS || b == NOT_DIGITS || (a == NO_DIGITS && b == NO_DIGITS)) return Optional.empty();
        long first;
        long last;
        if (a == NO_DIGITS) {
            if (b <= 0 || size == 0) throw invalidRange(size);
            first = Math.max(0, size - b);   // a suffix longer than the object is the whole object
            last = size - 1;
        } else {
            last = b == NO_DIGITS ? Long.MAX_VALUE : b;
            if (last < a) return Optional.empty();
            // bytes=99999999999999999999- is valid syntax whose first byte is past any object's end:
            // 416, as AWS answers, not the whole object.
            if (a >= size) throw invalidRange(size);
            first = a;
            last = Math.min(last, size - 1);
        }
        return Optional.of(new long[]{first, last});
    }

    /** {@link #offset}: the text was empty. */
    static final long NO_DIGITS = -1;
    /** {@link #offset}: the text had something other than ASCII digits. */
    static final long NOT_DIGITS = -2;

    /**
     * A byte offset written as ASCII digits, saturating at Long.MAX_VALUE: a number too large for a
     * long is still a well-formed offset (past the end of every object), never a parse failure that
     * would make a range look malformed. Signs and other characters are not digits (Long.parseLong
     * would take "+5"). Reads each character once, whatever the length.
     */
    static long offset(String text) {
        if (text.isEmpty()) return NO_DIGITS;
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return NOT_DIGITS;
            int d = c - '0';
            n = n > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : n * 10 + d;
        }
        return n;
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
     * {offset, length} of part {@code n}: a multipart object's parts are its segments in order (an
     * empty last part has none); a single-part object is its own part 1.
     *
     * @throws S3Exception InvalidPartNumber (416) when the object has no such part
     */
    static long[] partRange(ObjectVersion v, int n) {
        int parts = v.partCount() == 0 ? 1 : v.partCount();
        if (n > parts) {
            throw new S3Exception(S3Error.INVALID_PART_NUMBER).with("PartNumberRequested", Integer.toString(n))
                    .with("ActualPartCount", Integer.toString(parts));
        }
        if (v.partCount() == 0) return new long[]{0, v.size()};
        List<io.strata.namespace.Segment> segments = v.segments();
        long offset = 0;
        for (int i = 0; i < n - 1 && i < segments.size(); i++) offset += segments.get(i).size();
        long length = n - 1 < segments.size() ? segments.get(n - 1).size() : 0;
        return new long[]{offset, length};
    }

    private static S3Exception invalidRange(long size) {
        return new S3Exception(S3Error.INVALID_RANGE).with("RangeRequested", "").with("ActualObjectSize", Long.toString(size));
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
            ObjectVersion v = found.orElseThrow(() -> noSuchVersion(key, versionId.get()));
            if (v.deleteMarker()) {
                deleteMarkerHeaders(res, v);
                res.header("Allow", "DELETE");
                throw new S3Exception(S3Error.METHOD_NOT_ALLOWED).with("Method", r.method())
                        .with("ResourceType", "DeleteMarker");
            }
            return v;
        }
        ObjectVersion v = found.orElseThrow(() -> noSuchKey(bucket.name(), key));
        if (v.deleteMarker()) {
            deleteMarkerHeaders(res, v);
            throw noSuchKey(bucket.name(), key);
        }
        return v;
    }

    private static void deleteMarkerHeaders(ServerResponse res, ObjectVersion marker) {
        res.header("x-amz-delete-marker", "true");
        res.header("x-amz-version-id", marker.versionId());
        res.header("Last-Modified", Encoding.httpDate(marker.lastModified()));
    }

    private static S3Exception noSuchVersion(ObjectKey key, String versionId) {
        return new S3Exception(S3Error.NO_SUCH_VERSION).with("Key", key.value()).with("VersionId", versionId);
    }

    private static S3Exception noSuchKey(BucketName bucket, ObjectKey key) {
        return new S3Exception(S3Error.NO_SUCH_KEY, S3Error.NO_SUCH_KEY.message(), "/" + bucket + "/" + key.value())
                .with("Key", key.value());
    }

    /**
     * S3 returns {@code x-amz-version-id} for every version once the bucket has versioning configured
     * (enabled or suspended: then also "null"), and never for objects of a never-versioned bucket.
     */
    static void versionIdHeader(ServerResponse res, Bucket bucket, ObjectVersion v) {
        if (bucket.versioning() != BucketVersioning.UNVERSIONED || !v.versionId().equals(ObjectVersion.NULL_VERSION)) {
            res.header("x-amz-version-id", v.versionId());
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
            DeleteResult result = service.delete(bucket, key);
            result.marker().ifPresent(m -> {
                res.header("x-amz-delete-marker", "true");
                res.header("x-amz-version-id", m.versionId());
            });
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    void deleteObjects(S3Request r, ServerResponse res) {
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
                    DeleteResult result = service.delete(bucket, key);
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

    static void checksumHeaders(ServerResponse res, ObjectVersion v) {
        for (var c : v.checksums().entrySet()) {
            ChecksumAlgorithm.parse(c.getKey()).ifPresent(a -> res.header(a.headerName(), c.getValue()));
        }
        if (!v.checksums().isEmpty()) res.header("x-amz-checksum-type", StoredHeaders.checksumType(v.headers()));
    }

}
