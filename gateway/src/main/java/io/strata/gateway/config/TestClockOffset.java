package io.strata.gateway.config;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The gateway's clock, shifted for tests by {@code STRATA_TEST_CLOCK_OFFSET} (a duration such as
 * {@code 5s} or {@code -5s}): the active-active conflict test runs two sites whose clocks disagree. Read
 * only when set, and then said at WARN, because a shifted clock dates every version and delete marker.
 * Stateless.
 */
public final class TestClockOffset {
    public static final String ENV = "STRATA_TEST_CLOCK_OFFSET";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TestClockOffset.class);

    private TestClockOffset() {
    }

    /**
     * The system clock in UTC, offset by {@value #ENV} when the environment sets it.
     *
     * @throws StrataConfig.ConfigException when it is set to something that is not a duration
     */
    public static Clock clock(Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null || value.isBlank()) return Clock.systemUTC();
        String s = value.trim();
        boolean negative = s.startsWith("-");
        Duration offset;
        try {
            offset = StrataConfig.parseDuration(negative ? s.substring(1) : s);
        } catch (IllegalArgumentException e) {
            throw new StrataConfig.ConfigException(ENV, "not a duration (e.g. 5s, -5s, 250ms): " + value);
        }
        if (negative) offset = offset.negated();
        LOG.warn("{}={}: this gateway's clock is shifted by {} (a test setting; never use it in production)", ENV,
                value, offset);
        return Clock.offset(Clock.systemUTC(), offset);
    }
}
