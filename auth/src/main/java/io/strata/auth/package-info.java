/**
 * Strata auth module: AWS Signature Versions 4 and 2 for S3, in plain JDK code; the flexible checksums
 * it checks in aws-chunked trailers come from {@code io.strata.checksum}.
 *
 * <p>The gateway builds a {@link io.strata.auth.SignedRequest} from the wire and asks a
 * {@link io.strata.auth.SigV4Verifier} (one per process, thread-safe) to verify it. The resulting
 * {@link io.strata.auth.Authentication} names the access key, tells how the body is protected
 * ({@link io.strata.auth.PayloadMode}) and wraps the raw body in a
 * {@link io.strata.auth.VerifiedBody} that strips aws-chunked framing and checks signatures,
 * payload hash and trailing checksum as the bytes flow. Every refusal is an
 * {@link io.strata.auth.AuthException} whose {@link io.strata.auth.AuthException.Reason} maps to one S3
 * error. Nothing here logs secrets or signatures.
 */
package io.strata.auth;
