package io.strata.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * Signs a test request with the module's own canonicalisation (validated by the AWS examples), for
 * cases the SDK will not produce: odd headers that must still be refused after a valid signature.
 */
final class TestSigner {
    private TestSigner() {
    }

    /** Signs every header present (sorted), at {@code amzDate}, in us-east-1, with TestRequests' key. */
    static SignedRequest sign(TestRequests.Builder builder, String amzDate) {
        return signAt(builder.replace("x-amz-date", amzDate), amzDate);
    }

    /** Signs with only the request's Date header carrying the time ({@code amzDate} is that time, ISO basic). */
    static SignedRequest signWithDateHeaderOnly(TestRequests.Builder builder, String amzDate) {
        return signAt(builder.without("x-amz-date"), amzDate);
    }

    private static SignedRequest signAt(TestRequests.Builder builder, String amzDate) {
        SignedRequest unsigned = builder.build();
        List<String> names = new ArrayList<>(unsigned.headers().keySet());
        names.sort(null);
        String date = amzDate.substring(0, 8);
        String scope = date + "/us-east-1/s3/aws4_request";
        String canonical = CanonicalRequest.build(unsigned.method(), unsigned.rawPath(),
                CanonicalRequest.canonicalQuery(CanonicalRequest.parseQuery(unsigned.rawQuery()), null),
                CanonicalRequest.canonicalHeaders(unsigned, names), String.join(";", names),
                unsigned.header("x-amz-content-sha256").orElse(PayloadMode.UNSIGNED_PAYLOAD));
        String signature = SigV4.sign(SigV4.deriveSigningKey(TestRequests.SECRET_KEY, date, "us-east-1"),
                CanonicalRequest.stringToSign(amzDate, scope, canonical));
        return builder.replace("Authorization", "AWS4-HMAC-SHA256 Credential=" + TestRequests.ACCESS_KEY + "/" + scope
                + ", SignedHeaders=" + String.join(";", names) + ", Signature=" + signature).build();
    }
}
