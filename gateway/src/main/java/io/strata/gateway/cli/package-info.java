/**
 * The operator commands ({@code strata heal|drives|tier|pin|unpin|prefetch|placement}): clients of a
 * running gateway's admin API through one {@link io.strata.gateway.cli.AdminClient}. Depends on
 * {@code config} (to find the gateway and its credentials) and on {@code admin}'s JSON codec.
 */
package io.strata.gateway.cli;
