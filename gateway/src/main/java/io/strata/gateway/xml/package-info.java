/**
 * A generic, hardened XML reader (no DTDs, no entities, bounded size and depth) and a streaming
 * writer. JDK only, no gateway dependency: the transport's error documents ({@code http}), the S3
 * API and its documents ({@code s3}, {@code s3.xml}) all use it.
 */
package io.strata.gateway.xml;
