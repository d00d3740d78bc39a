/**
 * The S3 operations, a small class per resource (objects, buckets, multipart, ACLs and policies,
 * lifecycle, tagging, CORS, POST uploads, attributes) and the table that routes to them
 * ({@link io.strata.gateway.s3.handler.S3Handlers}). Parses requests into the data plane's records
 * (headers to metadata, ACL, tags, checksums) and calls {@code objects} and tiering's placement service.
 * Depends on {@code s3}, {@code s3.xml} and everything below them; nothing depends on it but the wiring.
 */
package io.strata.gateway.s3.handler;
