package io.strata.tiering.placement;

import java.time.Instant;
import java.util.Optional;

/**
 * A keep-newest rule as its last pass left it, for the admin API and the metrics. Immutable.
 *
 * @param rule             the rule as configured
 * @param tier             where it destages (its own tier, else the eviction tier); empty when no tier exists
 * @param groups           versions (or directories) the last completed pass listed (0 before one)
 * @param passes           passes over its prefix since start
 * @param destagedVersions versions it moved cold since start
 * @param destagedBytes    their bytes
 * @param failures         moves that failed (the version stayed hot; the next pass tries again)
 * @param lastPass         when its last pass ended, if one did
 * @param lastError        the last failure's message, or ""
 */
public record KeepNewestStatus(KeepNewestRule rule, Optional<String> tier, long groups, long passes,
                               long destagedVersions, long destagedBytes, long failures, Optional<Instant> lastPass,
                               String lastError) {
}
