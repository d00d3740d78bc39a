/**
 * The admin API under {@code /_strata/admin} (heal, tiers, placement) with its one JSON codec
 * ({@link io.strata.gateway.admin.Json}). Answers failures as S3 requests get them, so it depends on
 * {@code s3} for the error document and mapping, and on {@code objects} and {@code config} below it.
 */
package io.strata.gateway.admin;
