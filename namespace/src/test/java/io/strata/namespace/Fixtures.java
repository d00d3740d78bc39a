package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Builders of test records. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00.123456789Z");
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private Fixtures() {
    }

    static BucketName bucketName(String name) {
        return new BucketName(name);
    }

    static Bucket bucket(String name) {
        return new Bucket(new BucketName(name), T0, "us-east-1", "AKIDEXAMPLE");
    }

    static ObjectKey key(String key) {
        return new ObjectKey(key);
    }

    /** A segment with a unique reference. */
    static Segment segment(long size) {
        return new Segment(size, ("blob-" + SEQUENCE.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
    }

    static ObjectVersion version(String bucket, String key, Segment... segments) {
        long size = 0;
        for (Segment s : segments) size += s.size();
        return new ObjectVersion(new BucketName(bucket), new ObjectKey(key), ObjectVersion.NULL_VERSION, size,
                "d41d8cd98f00b204e9800998ecf8427e", T0, "binary/octet-stream", Map.of(), Map.of("k", "v"),
                Map.of(), segments.length > 1 ? segments.length : 0, List.of(segments));
    }

    static ObjectVersion version(String bucket, String key) {
        return version(bucket, key, segment(10));
    }

    static MultipartUpload upload(String bucket, String key, String uploadId, Instant initiated) {
        return new MultipartUpload(new BucketName(bucket), new ObjectKey(key), uploadId, initiated, "AKIDEXAMPLE",
                "text/plain", Map.of("cache-control", "no-cache"), Map.of("a", "b"), "CRC32");
    }

    static Part part(int number) {
        Segment s = segment(5 << 20);
        return new Part(number, s.size(), "etag" + number, T0, Map.of("CRC32", "AAAAAA=="), s);
    }

    static List<Segment> segments(List<GarbageItem> items) {
        List<Segment> out = new ArrayList<>();
        for (GarbageItem g : items) out.add(g.segment());
        return out;
    }
}
