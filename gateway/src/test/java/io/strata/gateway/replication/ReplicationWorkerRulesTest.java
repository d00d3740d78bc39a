package io.strata.gateway.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;
import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfiguration.Destination;
import io.strata.tiering.replication.ReplicationConfiguration.Filter;
import io.strata.tiering.replication.ReplicationConfiguration.Rule;
import io.strata.tiering.replication.ReplicationConfiguration.Setting;
import io.strata.tiering.replication.ReplicationTarget;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Which rule decides for a target ({@link ReplicationWorker#rule}) and the queue's payload format. */
class ReplicationWorkerRulesTest {
    private static final List<ReplicationTarget> TARGETS = List.of(target("west", "west-b"), target("east", "east-b"));

    private static ReplicationTarget target(String name, String bucket) {
        return new ReplicationTarget(name, new S3ColdTierConfig(URI.create("http://127.0.0.1:9"), "us-east-1", bucket, "",
                "AK", "secret-key", true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty()));
    }

    private static Rule rule(String id, int priority, boolean enabled, String prefix, Map<String, String> tags,
                             String bucket, Setting markers) {
        Filter.Form form = tags.isEmpty() ? Filter.Form.SINGLE : Filter.Form.AND;
        return new Rule(id, OptionalInt.of(priority), enabled, new Filter(prefix, tags, form), markers, Setting.ABSENT,
                Setting.ABSENT, Setting.ABSENT, new Destination("arn:aws:s3:::" + bucket, Optional.empty()));
    }

    private static String decide(ReplicationConfiguration c, String target, String key, Map<String, String> tags) {
        return ReplicationWorker.rule(c, target, TARGETS, key, tags).map(Rule::id).orElse("-");
    }

    @Test
    void theHighestPriorityEnabledMatchingRuleOfTheTargetDecides() {
        ReplicationConfiguration c = new ReplicationConfiguration("role", List.of(
                rule("all", 1, true, "", Map.of(), "west-b", Setting.ENABLED),
                rule("logs", 5, true, "logs/", Map.of(), "west-b", Setting.DISABLED),
                rule("hot-logs", 9, true, "logs/", Map.of("tier", "hot"), "west-b", Setting.DISABLED),
                rule("off", 20, false, "", Map.of(), "west-b", Setting.ENABLED),
                rule("east", 3, true, "logs/", Map.of(), "east-b", Setting.ENABLED)));
        assertEquals("all", decide(c, "west", "data/x", Map.of()));
        assertEquals("logs", decide(c, "west", "logs/x", Map.of()));
        assertEquals("logs", decide(c, "west", "logs/x", Map.of("tier", "cold")));
        assertEquals("hot-logs", decide(c, "west", "logs/x", Map.of("tier", "hot", "other", "1")));
        assertEquals("east", decide(c, "east", "logs/x", Map.of()));
        assertEquals("-", decide(c, "east", "data/x", Map.of()));
        // A delete marker has no tags: only tag-free filters select it.
        assertEquals("logs", decide(c, "west", "logs/x", null));
        assertEquals("-", decide(c, "nobody", "logs/x", Map.of()));
    }

    @Test
    void aDestinationThatResolvesToSeveralTargetsSendsToNone() {
        List<ReplicationTarget> twins = List.of(target("a", "same"), target("b", "same"));
        ReplicationConfiguration c = new ReplicationConfiguration("role", List.of(
                rule("r", 1, true, "", Map.of(), "same", Setting.ENABLED)));
        assertEquals(Optional.empty(), ReplicationWorker.rule(c, "a", twins, "k", Map.of()));
    }

    @Test
    void queuedWorkReadsBackAsWritten() {
        ReplicationWork w = new ReplicationWork(ReplicationWork.Op.PUT_VERSION, new BucketName("src"),
                new ObjectKey("dir/ké y"), "v1", Instant.parse("2026-01-02T03:04:05.123456789Z"), "abc",
                Instant.parse("2026-01-02T03:04:06Z"), Optional.of("STANDARD_IA"), 42, 1 << 20);
        assertEquals(w, ReplicationWork.decode(w.encode()));
        ReplicationWork marker = new ReplicationWork(ReplicationWork.Op.PUT_DELETE_MARKER, new BucketName("src"),
                new ObjectKey("k"), "m1", Instant.EPOCH, "", Instant.EPOCH, Optional.empty(), 7, 0);
        assertEquals(marker, ReplicationWork.decode(marker.encode()));
        assertThrows(IllegalArgumentException.class, () -> ReplicationWork.decode(new byte[]{9, 0}));
        assertThrows(IllegalArgumentException.class, () -> ReplicationWork.decode(new byte[]{1}));
    }

    @Test
    void anOperationKeepsItsLastEightAttemptsWithShortenedErrors() {
        ReplicationWork w = new ReplicationWork(ReplicationWork.Op.PUT_VERSION, new BucketName("src"), new ObjectKey("k"),
                "v1", Instant.EPOCH, "e", Instant.EPOCH, Optional.empty(), 1, 5);
        for (int i = 0; i < 11; i++) w = w.attempted(Instant.ofEpochSecond(i), i < 10, "error " + i + "x".repeat(500));
        ReplicationWork back = ReplicationWork.decode(w.encode());
        assertEquals(w, back);
        assertEquals(ReplicationWork.HISTORY, back.history().size());
        assertEquals(Instant.ofEpochSecond(3), back.history().getFirst().at(), "the oldest attempts go first");
        assertEquals(false, back.history().getLast().retried());
        assertEquals(ReplicationWork.ERROR_CHARS, back.history().getLast().error().length());
    }

    @Test
    void workQueuedByTheFirstFormatStillReadsAndCountsAsOlderThanAnyChange() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.writeByte(1);
        out.writeByte(0);
        out.writeUTF("src");
        out.writeUTF("k");
        out.writeUTF("v1");
        out.writeLong(5);
        out.writeInt(6);
        out.writeUTF("etag");
        out.writeLong(7000);
        out.writeUTF("");
        ReplicationWork w = ReplicationWork.decode(bytes.toByteArray());
        assertEquals(new ReplicationWork(ReplicationWork.Op.PUT_VERSION, new BucketName("src"), new ObjectKey("k"), "v1",
                Instant.ofEpochSecond(5, 6), "etag", Instant.ofEpochMilli(7000), Optional.empty(), 0, 0), w);
    }
}
