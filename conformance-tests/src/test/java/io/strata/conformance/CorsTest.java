package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.GetBucketCorsResponse;

/**
 * CORS as AWS S3 does it: Put/Get/DeleteBucketCors through the SDK v2 with S3's validation, and,
 * over raw java.net.http (browsers' view), the unauthenticated OPTIONS preflight and the
 * Access-Control-* headers on ordinary requests whose Origin matches a rule.
 */
class CorsTest extends GatewayTest {

    private static CORSRule rule(String origin, List<String> methods, List<String> headers, List<String> expose,
                                 Integer maxAge) {
        return CORSRule.builder().allowedOrigins(origin).allowedMethods(methods).allowedHeaders(headers)
                .exposeHeaders(expose).maxAgeSeconds(maxAge).build();
    }

    private static String corsBucket(String hint) {
        String bucket = createBucket(hint);
        s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                CORSRule.builder().id("app").allowedOrigins("https://*.example.com").allowedMethods("GET", "PUT")
                        .allowedHeaders("content-type", "x-amz-*").exposeHeaders("ETag", "x-amz-version-id")
                        .maxAgeSeconds(600).build(),
                rule("*", List.of("GET", "HEAD"), List.of(), List.of(), null))));
        return bucket;
    }

    private static RawRequest.Response preflight(String path, String origin, String method, String headers)
            throws Exception {
        RawRequest r = RawRequest.of("OPTIONS", path).unsigned();
        if (origin != null) r.header("Origin", origin);
        if (method != null) r.header("Access-Control-Request-Method", method);
        if (headers != null) r.header("Access-Control-Request-Headers", headers);
        return r.send(server);
    }

    @Test
    void putGetDeleteBucketCors() {
        String bucket = corsBucket("cors");
        GetBucketCorsResponse got = s3.getBucketCors(b -> b.bucket(bucket));
        assertEquals(2, got.corsRules().size());
        CORSRule first = got.corsRules().getFirst();
        assertEquals("app", first.id());
        assertEquals(List.of("https://*.example.com"), first.allowedOrigins());
        assertEquals(List.of("GET", "PUT"), first.allowedMethods());
        assertEquals(List.of("content-type", "x-amz-*"), first.allowedHeaders());
        assertEquals(List.of("ETag", "x-amz-version-id"), first.exposeHeaders());
        assertEquals(600, first.maxAgeSeconds());
        s3.deleteBucketCors(b -> b.bucket(bucket));
        assertS3Error(404, "NoSuchCORSConfiguration", () -> s3.getBucketCors(b -> b.bucket(bucket)));
        s3.deleteBucketCors(b -> b.bucket(bucket));   // idempotent
        assertS3Error(404, "NoSuchBucket", () -> s3.getBucketCors(b -> b.bucket("no-such-bucket-cors")));
    }

    @Test
    void invalidCorsConfigurationsAreRefused() throws Exception {
        String bucket = createBucket("cors-invalid");
        assertS3Error(400, "InvalidRequest", () -> s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                rule("*", List.of("PATCH"), List.of(), List.of(), null)))));
        assertS3Error(400, "InvalidRequest", () -> s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                rule("https://*.*.example.com", List.of("GET"), List.of(), List.of(), null)))));
        assertS3Error(400, "InvalidRequest", () -> s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                rule("*", List.of("GET"), List.of("x-*-*"), List.of(), null)))));
        assertS3Error(400, "InvalidRequest", () -> s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                rule("*", List.of("GET"), List.of(), List.of("x-amz-*"), null)))));
        List<CORSRule> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) many.add(rule("https://" + i + ".example", List.of("GET"), List.of(), List.of(), null));
        assertS3Error(400, "InvalidRequest", () -> s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(many))));
        s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(many.subList(0, 100))));
        for (String body : List.of("<CORSConfiguration/>",
                "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
                "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
                "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>"
                        + "<MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>",
                "<Other/>", "not xml")) {
            RawRequest.Response r = RawRequest.of("PUT", "/" + bucket).query("cors", "").body(body).send(server);
            assertEquals(400, r.status(), body);
            assertEquals("MalformedXML", r.errorCode(), body);
        }
        assertEquals(100, s3.getBucketCors(b -> b.bucket(bucket)).corsRules().size(), "refused puts changed nothing");
    }

    @Test
    void preflightIsAnsweredWithoutCredentialsFromTheMatchingRule() throws Exception {
        String bucket = corsBucket("cors-preflight");
        RawRequest.Response r = preflight("/" + bucket + "/some/key", "https://app.example.com", "PUT",
                "Content-Type, X-Amz-Date");
        assertEquals(200, r.status(), r::toString);
        assertEquals(Optional.of("https://app.example.com"), r.header("Access-Control-Allow-Origin"));
        assertEquals(Optional.of("GET, PUT"), r.header("Access-Control-Allow-Methods"));
        assertEquals(Optional.of("content-type, x-amz-date"), r.header("Access-Control-Allow-Headers"));
        assertEquals(Optional.of("600"), r.header("Access-Control-Max-Age"));
        assertEquals(Optional.of("ETag, x-amz-version-id"), r.header("Access-Control-Expose-Headers"));
        assertEquals(Optional.of("true"), r.header("Access-Control-Allow-Credentials"));
        assertTrue(r.header("Vary").orElse("").contains("Origin"));

        RawRequest.Response any = preflight("/" + bucket, "https://elsewhere.test", "HEAD", null);
        assertEquals(200, any.status(), any::toString);
        assertEquals(Optional.of("*"), any.header("Access-Control-Allow-Origin"));
        assertEquals(Optional.empty(), any.header("Access-Control-Allow-Credentials"));
    }

    @Test
    void preflightThatNoRuleAllowsIsForbidden() throws Exception {
        String bucket = corsBucket("cors-refused");
        for (String[] c : new String[][] {
                {"https://elsewhere.test", "PUT", null},                   // origin only in the GET/HEAD rule
                {"https://app.example.com", "DELETE", null},               // method not allowed
                {"https://app.example.com", "PUT", "authorization"},       // header not allowed
        }) {
            RawRequest.Response r = preflight("/" + bucket + "/k", c[0], c[1], c[2]);
            assertEquals(403, r.status(), r::toString);
            assertEquals("AccessForbidden", r.errorCode());
            assertTrue(r.text().contains("CORSResponse: This CORS request is not allowed"), r.text());
            assertEquals(Optional.empty(), r.header("Access-Control-Allow-Origin"));
        }
        String plain = createBucket("cors-none");
        RawRequest.Response none = preflight("/" + plain + "/k", "https://app.example.com", "GET", null);
        assertEquals(403, none.status(), none::toString);
        assertEquals("AccessForbidden", none.errorCode());
        assertEquals(400, preflight("/" + bucket + "/k", null, "GET", null).status());
        assertEquals(400, preflight("/" + bucket + "/k", "https://app.example.com", null, null).status());
    }

    @Test
    void ordinaryRequestsWithAMatchingOriginGetCorsHeaders() throws Exception {
        String bucket = corsBucket("cors-actual");
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("hello"));
        RawRequest.Response get = RawRequest.of("GET", "/" + bucket + "/k").header("Origin", "https://app.example.com")
                .send(server);
        assertEquals(200, get.status(), get::toString);
        assertEquals("hello", get.text());
        assertEquals(Optional.of("https://app.example.com"), get.header("Access-Control-Allow-Origin"));
        assertEquals(Optional.of("true"), get.header("Access-Control-Allow-Credentials"));
        assertEquals(Optional.of("ETag, x-amz-version-id"), get.header("Access-Control-Expose-Headers"));
        assertTrue(get.header("Vary").orElse("").contains("Origin"));

        RawRequest.Response star = RawRequest.of("HEAD", "/" + bucket + "/k").header("Origin", "https://other.test")
                .send(server);
        assertEquals(200, star.status());
        assertEquals(Optional.of("*"), star.header("Access-Control-Allow-Origin"));
        assertEquals(Optional.empty(), star.header("Access-Control-Allow-Credentials"));

        RawRequest.Response noMatch = RawRequest.of("DELETE", "/" + bucket + "/gone").header("Origin", "https://other.test")
                .send(server);
        assertEquals(204, noMatch.status());
        assertFalse(noMatch.header("Access-Control-Allow-Origin").isPresent());
        RawRequest.Response noOrigin = RawRequest.of("GET", "/" + bucket + "/k").send(server);
        assertFalse(noOrigin.header("Access-Control-Allow-Origin").isPresent());
    }
}
