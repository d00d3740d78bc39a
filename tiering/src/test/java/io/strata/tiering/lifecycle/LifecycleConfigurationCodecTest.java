package io.strata.tiering.lifecycle;

import io.strata.tiering.lifecycle.LifecycleConfiguration.Expiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentExpiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentTransition;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Transition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LifecycleConfigurationCodecTest {
    private static final Instant DATE = Instant.parse("2031-01-01T00:00:00Z");

    private static Map<String, String> tags(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** One rule per filter form, and between them every action and optional field. */
    static LifecycleConfiguration everything() {
        Rule and = new Rule("all", false,
                new Filter("data/", tags("z", "1", "a", ""), OptionalLong.of(1024), OptionalLong.of(1L << 30), Filter.Form.AND),
                Optional.of(new Expiration(OptionalInt.of(30), Optional.empty(), false)),
                Optional.of(new NoncurrentExpiration(7, OptionalInt.of(2))), OptionalInt.empty(),
                List.of(new Transition(OptionalInt.of(90), Optional.empty(), "COLD"),
                        new Transition(OptionalInt.empty(), Optional.of(DATE), "GLACIER")),
                List.of(new NoncurrentTransition(0, OptionalInt.empty(), "COLD"),
                        new NoncurrentTransition(30, OptionalInt.of(100), "STANDARD_IA")));
        Rule legacy = new Rule("légacy ✓", true,
                new Filter("tmp/", Map.of(), OptionalLong.empty(), OptionalLong.empty(), Filter.Form.RULE_PREFIX),
                Optional.of(new Expiration(OptionalInt.empty(), Optional.of(DATE), false)), Optional.empty(),
                OptionalInt.of(3), List.of(), List.of());
        Rule markers = new Rule("markers", true, Filter.ALL,
                Optional.of(new Expiration(OptionalInt.empty(), Optional.empty(), true)), Optional.empty(),
                OptionalInt.empty(), List.of(), List.of());
        Rule emptyPrefix = new Rule("empty-prefix", true,
                new Filter("", Map.of(), OptionalLong.empty(), OptionalLong.empty(), Filter.Form.SINGLE),
                Optional.empty(), Optional.empty(), OptionalInt.of(1), List.of(), List.of());
        Rule oneTag = new Rule("one-tag", true,
                new Filter("", tags("k", "v"), OptionalLong.empty(), OptionalLong.empty(), Filter.Form.SINGLE),
                Optional.empty(), Optional.empty(), OptionalInt.empty(),
                List.of(new Transition(OptionalInt.of(0), Optional.empty(), "COLD")), List.of());
        return new LifecycleConfiguration(List.of(and, legacy, markers, emptyPrefix, oneTag), 0);
    }

    @Test
    void roundTripsEveryFormActionAndTheTransitionMinimum() {
        for (LifecycleConfiguration c : List.of(everything(), new LifecycleConfiguration(everything().rules()))) {
            byte[] bytes = LifecycleConfigurationCodec.encode(c);
            LifecycleConfiguration back = LifecycleConfigurationCodec.decode(bytes);
            assertEquals(c, back);
            assertArrayEquals(bytes, LifecycleConfigurationCodec.encode(back));
        }
    }

    @Test
    void keepsTagsInTheOrderTheClientGaveThem() {
        Rule r = LifecycleConfigurationCodec.decode(LifecycleConfigurationCodec.encode(everything())).rules().getFirst();
        assertEquals(List.of("z", "a"), List.copyOf(r.filter().tags().keySet()));
    }

    /** Format v1 as first written: a change of the format must bump the version and still read this. */
    @Test
    void decodesVersionOneBytes() {
        LifecycleConfiguration expected = new LifecycleConfiguration(List.of(
                new Rule("r", true, new Filter("logs/", Map.of(), OptionalLong.empty(), OptionalLong.empty()),
                        Optional.of(new Expiration(OptionalInt.of(30), Optional.empty(), false)), Optional.empty(),
                        OptionalInt.of(2), List.of(new Transition(OptionalInt.empty(), Optional.of(DATE), "COLD")),
                        List.of(new NoncurrentTransition(5, OptionalInt.of(1), "COLD"))),
                new Rule("t", false, new Filter("", Map.of("k", "v"), OptionalLong.of(10), OptionalLong.empty()),
                        Optional.empty(), Optional.of(new NoncurrentExpiration(1, OptionalInt.empty())),
                        OptionalInt.empty(), List.of(), List.of())));
        String v1 = "01" + "808008" + "02"                  // version, 131072 (128 KiB), two rules
                + "0172" + "01"                                // "r", enabled
                + "02" + "056c6f67732f" + "00" + "00" + "00"   // SINGLE, "logs/", no tags, no size bounds
                + "01" + "011e" + "00" + "00"                  // Expiration: Days 30, no Date, no marker
                + "00" + "0102"                                // no NoncurrentVersionExpiration, abort after 2 days
                + "01" + "00" + "01" + "0000000072bd0c00" + "00000000" + "04434f4c44"   // Transition at DATE to COLD
                + "01" + "05" + "0101" + "04434f4c44"          // NoncurrentVersionTransition 5 days, keep 1, COLD
                + "0174" + "00"                                // "t", disabled
                + "03" + "00" + "01" + "016b" + "0176" + "010a" + "00"   // AND, "", tag k=v, > 10
                + "00" + "01" + "01" + "00"                    // no Expiration; NoncurrentVersionExpiration 1 day
                + "00" + "00" + "00";                          // no abort, no transitions of either kind
        assertEquals(expected, LifecycleConfigurationCodec.decode(HexFormat.of().parseHex(v1)));
        assertEquals(v1, HexFormat.of().formatHex(LifecycleConfigurationCodec.encode(expected)));
    }

    @Test
    void refusesEveryTruncationTrailingBytesAndUnknownVersions() {
        byte[] bytes = LifecycleConfigurationCodec.encode(everything());
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThrows(IllegalArgumentException.class, () -> LifecycleConfigurationCodec.decode(cut), "cut at " + n);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> LifecycleConfigurationCodec.decode(longer));
        byte[] v2 = bytes.clone();
        v2[0] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LifecycleConfigurationCodec.decode(v2));
        assertEquals("unknown lifecycle configuration format version 2, expected 1", e.getMessage());
    }

    @Test
    void aFilterRefusesConditionsItsFormCannotWrite() {
        assertThrows(IllegalArgumentException.class, () -> new Filter("p", Map.of(), OptionalLong.empty(),
                OptionalLong.empty(), Filter.Form.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Filter("p", Map.of("k", "v"), OptionalLong.empty(),
                OptionalLong.empty(), Filter.Form.SINGLE));
        assertThrows(IllegalArgumentException.class, () -> new Filter("p", Map.of("k", "v"), OptionalLong.empty(),
                OptionalLong.empty(), Filter.Form.RULE_PREFIX));
        assertEquals(Filter.Form.AND, new Filter("p", Map.of("k", "v"), OptionalLong.empty(), OptionalLong.empty()).form());
    }
}
