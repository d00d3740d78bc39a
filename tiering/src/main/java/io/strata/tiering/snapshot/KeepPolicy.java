package io.strata.tiering.snapshot;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which snapshots a retention policy keeps, with restic's rules (its {@code forget --keep-*}):
 * <ul>
 *   <li>Snapshots are taken newest first. {@code keepLast} keeps the newest n. Each period rule
 *       ({@code hourly}, {@code daily}, {@code weekly} by ISO week, {@code monthly}) keeps the newest
 *       snapshot of each of the n newest periods that have one: a snapshot counts when its period
 *       differs from that of the last snapshot the rule kept.</li>
 *   <li>{@code within} keeps every snapshot taken after the newest one's time minus the duration
 *       (years and months by the calendar, as restic's {@code 1y5m7d2h}).</li>
 *   <li>If a period rule still has room after the oldest snapshot (too few snapshots to fill it),
 *       the oldest snapshot is kept as well (restic 0.16 and later), so the most history stays.</li>
 *   <li>A policy without any rule keeps everything (restic refuses to forget by an empty policy).</li>
 * </ul>
 * Periods are in UTC. Immutable and thread-safe.
 */
public record KeepPolicy(int last, int hourly, int daily, int weekly, int monthly, Within within) {
    /** A snapshot as the policy sees it. */
    public record Snapshot(String id, Instant takenAt) {
        public Snapshot {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(takenAt, "takenAt");
        }
    }

    /** A calendar duration: years, months, days, hours ({@code 30d}, {@code 1y5m7d2h}). */
    public record Within(int years, int months, int days, int hours) {
        public static final Within NONE = new Within(0, 0, 0, 0);
        private static final Pattern FORMAT = Pattern.compile("(?:(\\d+)y)?(?:(\\d+)m)?(?:(\\d+)d)?(?:(\\d+)h)?");

        public Within {
            if (years < 0 || months < 0 || days < 0 || hours < 0) throw new IllegalArgumentException("negative duration");
        }

        /** @throws IllegalArgumentException for anything but {@code [Ny][Nm][Nd][Nh]} */
        public static Within parse(String text) {
            Matcher m = FORMAT.matcher(text);
            if (text.isEmpty() || !m.matches()) {
                throw new IllegalArgumentException("not a duration like 30d or 1y5m7d2h: " + text);
            }
            try {
                return new Within(group(m, 1), group(m, 2), group(m, 3), group(m, 4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("duration out of range: " + text, e);
            }
        }

        private static int group(Matcher m, int i) {
            return m.group(i) == null ? 0 : Integer.parseInt(m.group(i));
        }

        boolean isZero() {
            return equals(NONE);
        }

        Instant before(Instant t) {
            return LocalDateTime.ofInstant(t, ZoneOffset.UTC).minusYears(years).minusMonths(months).minusDays(days)
                    .minusHours(hours).toInstant(ZoneOffset.UTC);
        }

        @Override
        public String toString() {
            if (isZero()) return "";
            return (years > 0 ? years + "y" : "") + (months > 0 ? months + "m" : "") + (days > 0 ? days + "d" : "")
                    + (hours > 0 ? hours + "h" : "");
        }
    }

    public KeepPolicy {
        if (last < 0 || hourly < 0 || daily < 0 || weekly < 0 || monthly < 0) {
            throw new IllegalArgumentException("keep counts must not be negative");
        }
        Objects.requireNonNull(within, "within");
    }

    /** Whether the policy has any rule (an empty one keeps everything). */
    public boolean isEmpty() {
        return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && within.isZero();
    }

    /** The ids of {@code snapshots} the policy keeps, newest first. */
    public Set<String> keep(List<Snapshot> snapshots) {
        List<Snapshot> list = new ArrayList<>(snapshots);
        list.sort(Comparator.comparing(Snapshot::takenAt).thenComparing(Snapshot::id).reversed());
        Set<String> kept = new LinkedHashSet<>();
        if (list.isEmpty()) return kept;
        if (isEmpty()) {
            list.forEach(s -> kept.add(s.id()));
            return kept;
        }
        Rule[] rules = {
            new Rule(last, s -> s.id()),
            new Rule(hourly, s -> utc(s).withMinute(0).withSecond(0).withNano(0)),
            new Rule(daily, s -> utc(s).toLocalDate()),
            new Rule(weekly, s -> {
                LocalDateTime t = utc(s);
                return t.get(IsoFields.WEEK_BASED_YEAR) * 100 + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            }),
            new Rule(monthly, s -> utc(s).getYear() * 100 + utc(s).getMonthValue()),
        };
        Instant cutoff = within.isZero() ? null : within.before(list.getFirst().takenAt());
        for (Snapshot s : list) {
            boolean keep = cutoff != null && s.takenAt().isAfter(cutoff);
            for (Rule r : rules) keep |= r.offer(s);
            if (keep) kept.add(s.id());
        }
        // Too few snapshots to fill a period rule: the oldest is kept too, so the most history stays.
        for (int i = 1; i < rules.length; i++) {
            if (rules[i].left > 0) {
                kept.add(list.getLast().id());
                break;
            }
        }
        return kept;
    }

    private static LocalDateTime utc(Snapshot s) {
        return LocalDateTime.ofInstant(s.takenAt(), ZoneOffset.UTC);
    }

    /** One counting rule: the newest snapshot of each new period, until {@code left} is used up. */
    private static final class Rule {
        int left;
        final Function<Snapshot, Object> period;
        Object lastKept;

        Rule(int count, Function<Snapshot, Object> period) {
            this.left = count;
            this.period = period;
        }

        boolean offer(Snapshot s) {
            if (left == 0) return false;
            Object p = period.apply(s);
            if (p.equals(lastKept)) return false;
            lastKept = p;
            left--;
            return true;
        }
    }

    /** As {@code --keep-last 2 --keep-daily 7 --within 30d} would be written. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (last > 0) parts.add("--keep-last " + last);
        if (hourly > 0) parts.add("--keep-hourly " + hourly);
        if (daily > 0) parts.add("--keep-daily " + daily);
        if (weekly > 0) parts.add("--keep-weekly " + weekly);
        if (monthly > 0) parts.add("--keep-monthly " + monthly);
        if (!within.isZero()) parts.add("--keep-within " + within);
        return parts.isEmpty() ? "(keep all)" : String.join(" ", parts);
    }
}
