package io.strata.gateway.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarningLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final ObjectService.WarningLimiter limiter = new ObjectService.WarningLimiter(100, now::get);

    @Test
    void theFirstFailureIsReportedThenOneWarningPerIntervalCountsTheRest() {
        assertEquals(1, limiter.failed("ARCHIVE"));
        for (int i = 0; i < 500; i++) assertEquals(0, limiter.failed("ARCHIVE"), "quiet within the interval");
        now.addAndGet(99);
        assertEquals(0, limiter.failed("ARCHIVE"));
        now.addAndGet(1);
        assertEquals(502, limiter.failed("ARCHIVE"), "the warning stands for every failure since the last one");
        assertEquals(0, limiter.failed("ARCHIVE"));
        now.addAndGet(100);
        assertEquals(2, limiter.failed("ARCHIVE"));
    }

    @Test
    void tiersAreCountedApart() {
        assertEquals(1, limiter.failed("ARCHIVE"));
        assertEquals(1, limiter.failed("COLD"));
        assertEquals(0, limiter.failed("ARCHIVE"));
        assertEquals(0, limiter.failed("COLD"));
        now.addAndGet(100);
        assertEquals(2, limiter.failed("COLD"));
        assertEquals(2, limiter.failed("ARCHIVE"));
    }
}
