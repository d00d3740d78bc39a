/**
 * The S3 REST API's core: the router and error boundary ({@link io.strata.gateway.s3.S3Api}), the
 * request ({@link io.strata.gateway.s3.S3Request}), operations, errors and their one mapping
 * ({@link io.strata.gateway.s3.ErrorMapping}), authorization and response helpers. Depends on
 * {@code http}, {@code objects}, {@code metrics} and the generic XML writer; the handlers sit above it
 * in {@code s3.handler} and reach the router only as a table of {@link io.strata.gateway.s3.S3Handler}s.
 */
package io.strata.gateway.s3;
