package io.strata.tiering.replication;

import io.strata.tiering.replication.ReplicationConfiguration.Destination;
import io.strata.tiering.replication.ReplicationConfiguration.Filter;
import io.strata.tiering.replication.ReplicationConfiguration.Rule;
import io.strata.tiering.replication.ReplicationConfiguration.Setting;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationConfigurationCodecTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/replication";

    private static Map<String, String> tags(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** One rule per filter form, and between them every optional field present and absent. */
    static ReplicationConfiguration everything() {
        Rule legacy = new Rule("legacy", OptionalInt.empty(), true, new Filter("logs/", Map.of(), Filter.Form.RULE_PREFIX),
                Setting.ABSENT, Setting.ABSENT, Setting.ABSENT, Setting.ABSENT,
                new Destination("arn:aws:s3:::west", Optional.empty()));
        Rule empty = new Rule("all", OptionalInt.of(0), false, new Filter("", Map.of(), Filter.Form.EMPTY),
                Setting.ENABLED, Setting.DISABLED, Setting.ENABLED, Setting.DISABLED,
                new Destination("arn:aws:s3:::west", Optional.of("STANDARD_IA")));
        Rule single = new Rule("tagged", OptionalInt.of(7), true, new Filter("", tags("tier", "gold"), Filter.Form.SINGLE),
                Setting.DISABLED, Setting.ABSENT, Setting.ABSENT, Setting.ABSENT,
                new Destination("arn:aws:s3:::east", Optional.empty()));
        Rule and = new Rule("ünïcode-and", OptionalInt.of(Integer.MAX_VALUE), true,
                new Filter("data/", tags("z", "1", "a", ""), Filter.Form.AND),
                Setting.DISABLED, Setting.ENABLED, Setting.DISABLED, Setting.ABSENT,
                new Destination("arn:aws:s3:::east", Optional.of("GLACIER")));
        return new ReplicationConfiguration(ROLE, List.of(legacy, empty, single, and));
    }

    @Test
    void everyFieldAndFilterFormRoundTrips() {
        ReplicationConfiguration c = everything();
        byte[] bytes = ReplicationConfigurationCodec.encode(c);
        assertEquals(ReplicationConfigurationCodec.VERSION, bytes[0]);
        ReplicationConfiguration back = ReplicationConfigurationCodec.decode(bytes);
        assertEquals(c, back);
        assertEquals(List.of("z", "a"), List.copyOf(back.rules().get(3).filter().tags().keySet()), "tag order is kept");
        assertArrayEquals(bytes, ReplicationConfigurationCodec.encode(back));
    }

    /** The v1 bytes of a small configuration, pinned: a later format must still read them. */
    @Test
    void decodesPinnedVersionOneBytes() {
        ReplicationConfiguration c = new ReplicationConfiguration("r", List.of(new Rule("a", OptionalInt.of(1), true,
                new Filter("p", Map.of(), Filter.Form.SINGLE), Setting.DISABLED, Setting.ABSENT, Setting.ABSENT, Setting.ABSENT,
                new Destination("arn:aws:s3:::b", Optional.empty()))));
        String pinned = "01017201016101010102017000020000000e61726e3a6177733a73333a3a3a6200";
        assertEquals(pinned, HexFormat.of().formatHex(ReplicationConfigurationCodec.encode(c)));
        assertEquals(c, ReplicationConfigurationCodec.decode(HexFormat.of().parseHex(pinned)));
    }

    @Test
    void damagedBytesAreRefusedNamingTheProblem() {
        byte[] good = ReplicationConfigurationCodec.encode(everything());
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(IllegalArgumentException.class, () -> ReplicationConfigurationCodec.decode(truncated), "cut at " + cut);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReplicationConfigurationCodec.decode(trailing))
                .getMessage().contains("trailing"));
        byte[] future = good.clone();
        future[0] = 2;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReplicationConfigurationCodec.decode(future))
                .getMessage().contains("format version 2"));
    }

    @Test
    void filtersMatchByPrefixAndEveryTag() {
        Filter f = new Filter("data/", tags("a", "1", "b", "2"), Filter.Form.AND);
        assertTrue(f.matches("data/x", Map.of("a", "1", "b", "2", "c", "3")));
        assertFalse(f.matches("data/x", Map.of("a", "1")));
        assertFalse(f.matches("logs/x", Map.of("a", "1", "b", "2")));
        assertThrows(IllegalArgumentException.class, () -> new Filter("p", tags("a", "1"), Filter.Form.SINGLE));
        assertThrows(IllegalArgumentException.class, () -> new Filter("p", Map.of(), Filter.Form.EMPTY));
    }
}
