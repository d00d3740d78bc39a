package io.strata.tiering.lifecycle;

import io.strata.tiering.lifecycle.LifecycleConfiguration.Expiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Expiry;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The expiration announced in x-amz-expiration: which rule, and its date as S3 rounds it. */
class LifecycleExpiryTest {
    private static final Instant CREATED = Instant.parse("2016-01-15T10:30:00Z");

    private static Rule rule(String id, boolean enabled, Filter filter, Expiration x) {
        return new Rule(id, enabled, filter, Optional.of(x), Optional.empty(), OptionalInt.empty(), List.of(), List.of());
    }

    private static Expiration days(int d) {
        return new Expiration(OptionalInt.of(d), Optional.empty(), false);
    }

    private static Expiration date(String d) {
        return new Expiration(OptionalInt.empty(), Optional.of(Instant.parse(d)), false);
    }

    @Test
    void daysAreAddedToTheCreationTimeAndRoundedUpToMidnightUtc() {
        // AWS's own example: created 2016-01-15 10:30 UTC with Days 3 expires 2016-01-19 00:00 UTC.
        var config = new LifecycleConfiguration(List.of(rule("three", true, Filter.ALL, days(3))));
        assertEquals(Optional.of(new Expiry(Instant.parse("2016-01-19T00:00:00Z"), "three")),
                config.expiry("k", 1, Map.of(), CREATED));
        assertEquals(Instant.parse("2016-01-18T00:00:00Z"), LifecycleConfiguration.dueAt(Instant.parse("2016-01-15T00:00:00Z"), 3));
    }

    @Test
    void theEarliestMatchingEnabledRuleWins() {
        var config = new LifecycleConfiguration(List.of(
                rule("disabled", false, Filter.ALL, days(1)),
                rule("logs", true, new Filter("logs/", Map.of(), OptionalLong.empty(), OptionalLong.empty()), days(30)),
                rule("tagged", true, new Filter("", Map.of("tmp", "yes"), OptionalLong.empty(), OptionalLong.empty()),
                        date("2016-02-01T00:00:00Z")),
                rule("big", true, new Filter("", Map.of(), OptionalLong.of(1000), OptionalLong.empty()), days(1))));
        assertEquals("logs", config.expiry("logs/a", 1, Map.of(), CREATED).orElseThrow().ruleId());
        assertEquals("tagged", config.expiry("logs/a", 1, Map.of("tmp", "yes"), CREATED).orElseThrow().ruleId());
        assertEquals("big", config.expiry("logs/a", 5000, Map.of("tmp", "yes"), CREATED).orElseThrow().ruleId());
        assertEquals(Optional.empty(), config.expiry("data/a", 1, Map.of(), CREATED));
    }
}
