package io.strata.tiering;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The named cold tiers of a gateway. A tier's name is also the storage class clients use for it:
 * in lifecycle {@code Transition} rules and in what HEAD, GET and listings report for versions
 * that live there. Tiers may be added and removed while the gateway runs. Thread-safe.
 */
public final class ColdTiers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ColdTiers.class);

    /** Names are upper-case words, as S3 storage classes are. */
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_-]{0,62}");
    /**
     * Storage classes that `aws s3 cp/sync` and other tools treat as needing a restore before a
     * GET: data reported under them would be skipped, although it is readable here at once.
     */
    private static final Set<String> RESERVED = Set.of("STANDARD", "REDUCED_REDUNDANCY", "GLACIER", "DEEP_ARCHIVE",
            "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE");

    /** One configured tier: its name, what it is (for status), and the store. */
    public record Tier(String name, String description, ColdTier store) {
    }

    private final Map<String, Tier> tiers = new ConcurrentHashMap<>();

    /**
     * Checks a tier name.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a tier name is 1-63 characters of A-Z, 0-9, _ and -, starting with a letter: "
                    + name);
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException(name + " is reserved: S3 clients treat it as a storage class of their own");
        }
        return name;
    }

    /**
     * Adds a tier.
     *
     * @throws IllegalArgumentException if the name is invalid or taken
     */
    public void add(String name, String description, ColdTier store) {
        checkName(name);
        if (tiers.putIfAbsent(name, new Tier(name, description, store)) != null) {
            throw new IllegalArgumentException("a tier named " + name + " exists already");
        }
    }

    /** Removes and closes a tier; returns false if there was none of that name. */
    public boolean remove(String name) {
        Tier t = tiers.remove(name);
        if (t == null) return false;
        t.store().close();
        return true;
    }

    public Optional<Tier> get(String name) {
        return Optional.ofNullable(tiers.get(name));
    }

    /** The tier or a TierException(UNAVAILABLE) saying it is not configured. */
    public ColdTier require(String name) {
        Tier t = tiers.get(name);
        if (t == null) throw new TierException(TierException.Reason.UNAVAILABLE, "no cold tier named " + name + " is configured");
        return t.store();
    }

    public List<Tier> list() {
        return tiers.values().stream().sorted(java.util.Comparator.comparing(Tier::name)).toList();
    }

    /**
     * Closes every tier, also when one throws: each failure is logged at ERROR naming its tier, and the
     * first is rethrown with the others suppressed, so a failing tier cannot leave the others' clients
     * and threads open.
     */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Tier t : list()) {
            tiers.remove(t.name());
            try {
                t.store().close();
            } catch (RuntimeException e) {
                LOG.error("closing cold tier {} failed: {}", t.name(), e.toString());
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
