/**
 * Transport concerns shared by the S3 and admin APIs: connection limits and the request prologue
 * (first line, header deadline, upload cap, framing), pass-through content encodings, read-ahead,
 * URL encoding and the errors answered before routing ({@link io.strata.gateway.http.TransportError}).
 * Depends on {@code config}, {@code metrics} and the generic XML writer; never on {@code s3}: the
 * wiring hands in the S3 error document as an {@link io.strata.gateway.http.ErrorResponder}.
 */
package io.strata.gateway.http;
