/**
 * The gateway's configuration: the YAML file, {@code STRATA_*} environment and flags read into
 * records ({@link io.strata.gateway.config.StrataConfig}, tiers, TLS, connection limits), the root
 * credentials, files written durably, and the log backend. Depends on the lower modules' records and
 * on {@code objects} for the defaults it owns; nothing in the gateway's request path.
 */
package io.strata.gateway.config;
