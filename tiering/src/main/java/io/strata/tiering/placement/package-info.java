/**
 * Placement primitives: the policy ({@code placement.*}), pinned prefixes, the bounded access tracker behind
 * promotion on read, and the bounded set of eviction candidates. Plain values with no I/O; depends on namespace
 * only. The service that applies them lives in the gateway for now.
 */
package io.strata.tiering.placement;
