package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Our raw-request signer agrees with the SDK's SigV4 signer (no gateway needed). */
class RawRequestSignerTest {

    @Test
    void signatureMatchesTheSdkSigner() {
        Instant time = Instant.parse("2025-03-04T05:06:07Z");
        String body = "<Delete><Object><Key>a b+ü</Key></Object></Delete>";
        String path = "/bucket/some key/ü+%.txt";
        Map<String, String> query = new LinkedHashMap<>();
        query.put("delete", "");
        query.put("prefix", "a b/ü");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-MD5", "abc==");
        headers.put("x-amz-meta-x", "  spaced   value ");
        String hash = TestData.sha256(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        SdkHttpRequest.Builder sdkRequest = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(URI.create("http://127.0.0.1:9999" + RawRequest.canonicalUri(path)));
        query.forEach((k, v) -> sdkRequest.appendRawQueryParameter(k, v));
        headers.forEach(sdkRequest::putHeader);
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY))
                .request(sdkRequest.build())
                .payload(ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, StrataServer.REGION)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(time, ZoneOffset.UTC)));

        Map<String, String> ours = new LinkedHashMap<>(headers);
        ours.put("x-amz-date", "20250304T050607Z");
        ours.put("x-amz-content-sha256", hash);
        String authorization = RawRequest.authorization("POST", "127.0.0.1:9999", path, query, ours, hash, time,
                StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY);
        assertEquals(signed.request().firstMatchingHeader("Authorization").orElseThrow(), authorization);
    }
}
