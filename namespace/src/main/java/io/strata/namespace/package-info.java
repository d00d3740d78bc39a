/**
 * Strata's namespace: buckets, object versions and their metadata, listing, multipart state and the
 * durable garbage queue, behind the {@link io.strata.namespace.Namespace} seam and stored in RocksDB
 * ({@code RocksDbNamespace}). No RocksDB type appears in the public API.
 */
package io.strata.namespace;
