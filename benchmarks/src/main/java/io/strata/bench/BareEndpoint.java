package io.strata.bench;

import io.helidon.http.Status;
import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * The ceiling for Strata's end-to-end benchmark: a bare Helidon endpoint, configured as the
 * gateway configures its server ({@code useNio(false)}, the aws-chunked pass-through encoding, the
 * same HTTP/1 limits), that answers S3's PUT (and UploadPart) by reading the body to its end and
 * discarding it, Create/CompleteMultipartUpload with a made-up upload id and ETag, and GET from memory. It checks no signature and stores nothing; the difference to Strata is the cost
 * of S3 itself (auth, hashing, coding, disks, metadata).
 *
 * <p>GET serves the recorded size of the key from one shared 1 MiB random block, written from
 * offset 0 the way the gateway writes (a 16 KiB first write, then whole blocks: docs/traps.md), and,
 * when the client asks with {@code x-amz-checksum-mode: ENABLED} as the SDKs do, the CRC32 of those
 * bytes, so the client validates a checksum for both servers alike. ListObjectsV2 ({@code list-type=2})
 * answers a page of up to 1,000 of the recorded keys after {@code start-after}, its XML built once per
 * query and then served from memory. Thread-safe; memory is the one block, a key-to-size map and the
 * listings asked for since the last PUT.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.strata.bench.BareEndpoint --port 9100
 * </pre>
 */
public final class BareEndpoint {
    private static final int FIRST_WRITE = 16 << 10;
    private static final int BLOCK = 1 << 20;
    private static final Set<String> PASS_THROUGH = Set.of("aws-chunked", "gzip", "identity");

    private final byte[] block = new byte[BLOCK];
    /**
     * {@code --digests}: the hashing every S3 server owes a PUT and nothing else — SHA-256 over the
     * body on the reading thread when the chunks are signed (what verifying SigV4 chunk signatures
     * costs; the SDKs sign them over plain HTTP, not over HTTPS) and the MD5 for the
     * ETag on a thread of its own, fed through four 256 KiB buffers, as the gateway does. The floor
     * of any S3 server with an MD5 ETag on this machine, to read Strata's ratio against.
     */
    private boolean digests;
    private final byte[] first;
    /** Sizes by path ("/bucket/key"), sorted so a listing can walk them as a store's index would. */
    private final java.util.concurrent.ConcurrentSkipListMap<String, Long> sizes = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** ListObjectsV2 answers by request path and query, built once: any PUT clears them. */
    private final Map<String, byte[]> listings = new ConcurrentHashMap<>();
    private final Map<Long, String> crcs = new ConcurrentHashMap<>();
    /** Bytes received per multipart upload in progress, its object's size once completed. */
    private final Map<String, Long> uploadSizes = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong uploads = new java.util.concurrent.atomic.AtomicLong();

    private BareEndpoint() {
        new Random(1).nextBytes(block);
        first = Arrays.copyOf(block, FIRST_WRITE);
    }

    public static void main(String[] args) {
        int port = 9100;
        String cert = null;
        boolean digests = false;
        String key = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--tls-cert" -> cert = args[++i];   // PEM chain, as the gateway's server.tls.certificate
                case "--tls-key" -> key = args[++i];     // PEM key, as server.tls.private-key
                case "--digests" -> digests = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        pinMappers();
        BareEndpoint bare = new BareEndpoint();
        bare.digests = digests;
        var builder = WebServer.builder();
        if (cert != null) {
            String c = cert;
            String k = key;
            Keys keys = Keys.builder().pem(pem -> pem.key(Resource.create(Path.of(k))).certChain(Resource.create(Path.of(c)))).build();
            builder.tls(Tls.builder().privateKey(keys).privateKeyCertChain(keys).build());
        }
        WebServer server = builder
                .host("127.0.0.1")
                .port(port)
                .useNio(false)   // as the gateway (StrataServer): helidon-io/helidon#11340
                .contentEncoding(ContentEncodingContext.builder().contentEncodingsDiscoverServices(false)
                        .addContentEncoding(new PassThrough()).build())
                .addProtocol(Http1Config.builder().maxHeadersSize(64 << 10).validatePath(false).build())
                .routing(r -> r.any(bare::handle))
                .build()
                .start();
        System.out.println("bare endpoint listening on " + (cert == null ? "http" : "https") + "://127.0.0.1:" + server.port());
    }

    /**
     * As the gateway does at startup (HelidonMappers): unset, Helidon 4.4 looks its mapper manager up
     * in the service registry for every Content-Length it reads, a cost the ceiling must not pay either.
     */
    @SuppressWarnings("removal")   // Helidon 4.4 itself still reads Content-Length through MapperManager.global()
    private static void pinMappers() {
        io.helidon.common.mapper.MapperManager.global(io.helidon.common.mapper.MapperManager.create());
    }

    private void handle(ServerRequest req, ServerResponse res) throws IOException {
        String path = req.path().rawPath();
        String method = req.prologue().method().text();
        int slash = path.indexOf('/', 1);
        boolean object = slash > 0 && slash < path.length() - 1;
        if (method.equals("PUT")) {
            long n = 0;
            byte[] sink = new byte[64 << 10];
            String etag = "00000000000000000000000000000000";
            if (digests) {
                Md5Thread md5 = new Md5Thread();
                // Signed chunks (plain HTTP) need their SHA-256; unsigned ones (HTTPS) do not.
                boolean signed = req.headers().first(io.helidon.http.HeaderNames.create("x-amz-content-sha256"))
                        .map(v -> v.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")).orElse(false);
                java.security.MessageDigest sha256 = signed ? digest("SHA-256") : null;
                try (InputStream in = req.content().inputStream()) {
                    int k;
                    while ((k = in.read(sink)) >= 0) {
                        if (sha256 != null) sha256.update(sink, 0, k);
                        md5.add(sink, k);
                        n += k;
                    }
                }
                if (sha256 != null) sha256.digest();
                etag = md5.finish();
            } else {
                try (InputStream in = req.content().inputStream()) {
                    int k;
                    while ((k = in.read(sink)) >= 0) n += k;
                }
            }
            String partOf = req.query().contains("uploadId") ? req.query().get("uploadId") : null;
            if (partOf != null) {
                // UploadPart: the object's size is known once its upload completes.
                uploadSizes.merge(partOf, size(req, n), Long::sum);
            } else if (object) {
                sizes.put(path, size(req, n));
                listings.clear();
            }
            res.header("ETag", "\"" + etag + "\"").send();
        } else if (method.equals("POST") && object && (req.query().contains("uploads") || req.query().contains("uploadId"))) {
            multipart(req, res, path);
        } else if (method.equals("GET") && object) {
            Long size = sizes.get(path);
            if (size == null) {
                res.status(Status.NOT_FOUND_404).header("Content-Type", "application/xml")
                        .send("<Error><Code>NoSuchKey</Code></Error>");
                return;
            }
            res.header("Content-Length", Long.toString(size));
            res.header("ETag", "\"00000000000000000000000000000000\"");
            res.header("Content-Type", "application/octet-stream");
            if (req.headers().first(io.helidon.http.HeaderNames.create("x-amz-checksum-mode"))
                    .map("ENABLED"::equalsIgnoreCase).orElse(false)) {
                res.header("x-amz-checksum-crc32", crcs.computeIfAbsent(size, this::crc32));
            }
            try (OutputStream out = res.outputStream()) {
                serve(size, (b, len) -> out.write(b, 0, len));
            }
        } else if (method.equals("GET") && req.query().first("list-type").map("2"::equals).orElse(false)) {
            // ListObjectsV2: the ceiling is an answer already in memory, so each distinct query's
            // XML is built once from the recorded keys and then sent as it is.
            String bucket = path.substring(1, slash > 0 ? slash : path.length());
            String prefix = req.query().first("prefix").orElse("");
            String after = req.query().first("start-after").orElse("");
            byte[] body = listings.computeIfAbsent(path + "?" + prefix + "\n" + after, q -> listing(bucket, prefix, after));
            res.header("Content-Type", "application/xml").send(body);
        } else if (method.equals("HEAD") || method.equals("GET") || method.equals("DELETE")) {
            res.status(method.equals("DELETE") ? Status.NO_CONTENT_204 : Status.OK_200).send();
        } else {
            res.status(Status.OK_200).send();
        }
    }

    /** The decoded length when aws-chunked framing was sent, as S3 stores it, else the bytes read. */
    private static long size(ServerRequest req, long read) {
        return req.headers().first(io.helidon.http.HeaderNames.create("x-amz-decoded-content-length"))
                .map(Long::parseLong).orElse(read);
    }

    /**
     * CreateMultipartUpload and CompleteMultipartUpload with the least an SDK accepts: an upload id,
     * then the completion's XML (the request's part list is read and discarded). Parts are PUTs.
     */
    private void multipart(ServerRequest req, ServerResponse res, String path) throws IOException {
        String xml;
        if (req.query().contains("uploads")) {
            String uploadId = "bare-" + uploads.incrementAndGet();
            xml = "<InitiateMultipartUploadResult><UploadId>" + uploadId + "</UploadId></InitiateMultipartUploadResult>";
        } else {
            try (InputStream in = req.content().inputStream()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            Long size = uploadSizes.remove(req.query().get("uploadId"));
            if (size != null) {
                sizes.put(path, size);
                listings.clear();
            }
            xml = "<CompleteMultipartUploadResult><ETag>\"00000000000000000000000000000000-1\"</ETag>"
                    + "</CompleteMultipartUploadResult>";
        }
        res.header("Content-Type", "application/xml").send(xml);
    }

    /** A ListObjectsV2 page of up to 1,000 keys after {@code after}, with the elements the gateway writes. */
    private byte[] listing(String bucket, String prefix, String after) {
        String base = "/" + bucket + "/";
        StringBuilder contents = new StringBuilder();
        int n = 0;
        String last = null;
        boolean truncated = false;
        for (var e : sizes.tailMap(base + (after.isEmpty() ? prefix : after), after.isEmpty()).entrySet()) {
            String key = e.getKey().substring(base.length());
            if (!e.getKey().startsWith(base) || !key.startsWith(prefix)) break;
            if (n == 1000) {
                truncated = true;
                break;
            }
            contents.append("<Contents><Key>").append(key).append("</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>")
                    .append("<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>").append(e.getValue())
                    .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
            n++;
            last = key;
        }
        String head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>" + bucket + "</Name><Prefix>" + prefix + "</Prefix>"
                + (after.isEmpty() ? "" : "<StartAfter>" + after + "</StartAfter>")
                + "<KeyCount>" + n + "</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>" + truncated + "</IsTruncated>"
                + (truncated ? "<NextContinuationToken>" + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(last.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "</NextContinuationToken>" : "");
        return (head + contents + "</ListBucketResult>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static java.security.MessageDigest digest(String name) {
        try {
            return java.security.MessageDigest.getInstance(name);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** MD5 on a virtual thread of its own, fed in 256 KiB chunks through a bounded queue. */
    private static final class Md5Thread {
        private static final byte[] END = new byte[0];
        private final java.security.MessageDigest md5 = digest("MD5");
        private final java.util.concurrent.BlockingQueue<byte[]> full = new java.util.concurrent.ArrayBlockingQueue<>(4);
        private final java.util.concurrent.BlockingQueue<byte[]> free = new java.util.concurrent.ArrayBlockingQueue<>(4);
        private final Thread thread;
        private byte[] current = new byte[256 << 10];
        private int filled;

        Md5Thread() {
            for (int i = 0; i < 3; i++) free.add(new byte[256 << 10]);
            thread = Thread.ofVirtual().start(() -> {
                try {
                    for (byte[] b = full.take(); b != END; b = full.take()) {
                        md5.update(b);   // only full chunks are queued
                        free.put(b);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void add(byte[] data, int len) throws IOException {
            int off = 0;
            while (len > 0) {
                int n = Math.min(len, current.length - filled);
                System.arraycopy(data, off, current, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == current.length) {
                    try {
                        full.put(current);
                        current = free.take();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    filled = 0;
                }
            }
        }

        String finish() throws IOException {
            try {
                full.put(END);
                thread.join();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            md5.update(current, 0, filled);
            return java.util.HexFormat.of().formatHex(md5.digest());
        }
    }

    private interface Sink {
        void write(byte[] b, int len) throws IOException;
    }

    /** The served bytes: the 16 KiB head, then whole blocks, then a fresh copy for a short tail. */
    private void serve(long size, Sink sink) throws IOException {
        long remaining = size;
        int head = (int) Math.min(FIRST_WRITE, remaining);
        sink.write(head == FIRST_WRITE ? first : Arrays.copyOf(block, head), head);
        remaining -= head;
        while (remaining >= BLOCK) {
            sink.write(block, BLOCK);
            remaining -= BLOCK;
        }
        if (remaining > 0) sink.write(Arrays.copyOf(block, (int) remaining), (int) remaining);
    }

    private String crc32(long size) {
        CRC32 crc = new CRC32();
        try {
            serve(size, (b, len) -> crc.update(b, 0, len));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int v = (int) crc.getValue();
        return Base64.getEncoder().encodeToString(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    /** Lets aws-chunked bodies through untouched, as the gateway's AwsChunkedEncoding does. */
    private static final class PassThrough implements ContentEncoding {
        @Override
        public Set<String> ids() {
            return PASS_THROUGH;
        }

        @Override
        public boolean supportsEncoding() {
            return false;
        }

        @Override
        public boolean supportsDecoding() {
            return true;
        }

        @Override
        public ContentDecoder decoder() {
            return in -> in;
        }

        @Override
        public ContentEncoder encoder() {
            return ContentEncoder.NO_OP;
        }

        @Override
        public String name() {
            return "pass-through";
        }

        @Override
        public String type() {
            return "pass-through";
        }
    }
}
