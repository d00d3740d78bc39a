package io.strata.auth;

import static io.strata.auth.TestRequests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.checksum.ChecksumAlgorithm;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** SigV2 against the examples of "Signing and authenticating REST requests" (S3 developer guide). */
class SigV2VerifierTest {
    private static final String AK = TestRequests.ACCESS_KEY;

    private static SigV2Verifier at(String instant) {
        return SigV2Verifier.create(TestRequests.STORE, TestRequests.clockAt(Instant.parse(instant)));
    }

    private static SigV2Verifier march27() {
        return at("2007-03-27T19:40:00Z");
    }

    @Test
    void objectGetVirtualHosted() {
        var r = request("GET", "/photos/puppy.jpg", "").header("Host", "johnsmith.s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        assertTrue(SigV2Verifier.applies(r));
        assertEquals(AK, march27().verify(r, "johnsmith").accessKey());
    }

    @Test
    void objectGetPathStyleSignsTheSameResource() {
        var r = request("GET", "/johnsmith/photos/puppy.jpg", "").header("Host", "s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        assertEquals(AK, march27().verify(r, null).accessKey());
    }

    @Test
    void objectPutSignsContentType() {
        var r = request("PUT", "/photos/puppy.jpg", "").header("Content-Type", "image/jpeg")
                .header("Content-Length", "94328").header("Date", "Tue, 27 Mar 2007 21:15:45 +0000")
                .header("Authorization", "AWS " + AK + ":MyyxeRY7whkBe+bq8fHCL/2kKUg=").build();
        assertEquals(AK, at("2007-03-27T21:15:00Z").verify(r, "johnsmith").accessKey());
    }

    @Test
    void listIgnoresQueryParametersThatAreNotSubResources() {
        var r = request("GET", "/", "prefix=photos&max-keys=50&marker=puppy").header("User-Agent", "Mozilla/5.0")
                .header("Date", "Tue, 27 Mar 2007 19:42:41 +0000")
                .header("Authorization", "AWS " + AK + ":htDYFYduRNen8P9ZfE/s9SuKy0U=").build();
        assertEquals(AK, march27().verify(r, "johnsmith").accessKey());
    }

    @Test
    void aclSubResourceIsSigned() {
        var r = request("GET", "/", "acl").header("Date", "Tue, 27 Mar 2007 19:44:46 +0000")
                .header("Authorization", "AWS " + AK + ":c2WLPFtWHVgbEmeEG93a4cG37dM=").build();
        assertEquals(AK, march27().verify(r, "johnsmith").accessKey());
        var withEquals = request("GET", "/", "acl=").header("Date", "Tue, 27 Mar 2007 19:44:46 +0000")
                .header("Authorization", "AWS " + AK + ":c2WLPFtWHVgbEmeEG93a4cG37dM=").build();
        assertEquals(AK, march27().verify(withEquals, "johnsmith").accessKey());
        var unsigned = request("GET", "/", "").header("Date", "Tue, 27 Mar 2007 19:44:46 +0000")
                .header("Authorization", "AWS " + AK + ":c2WLPFtWHVgbEmeEG93a4cG37dM=").build();
        assertReason(AuthException.Reason.SIGNATURE_MISMATCH, () -> march27().verify(unsigned, "johnsmith"));
    }

    @Test
    void xAmzDateReplacesDate() {
        var r = request("DELETE", "/johnsmith/photos/puppy.jpg", "").header("User-Agent", "dotnet")
                .header("Host", "s3.amazonaws.com").header("Date", "Tue, 27 Mar 2007 21:20:27 +0000")
                .header("x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000")
                .header("Authorization", "AWS " + AK + ":R4dJ53KECjStyBO5iTBJZ4XVOaI=").build();
        assertEquals(AK, at("2007-03-27T21:20:00Z").verify(r, null).accessKey());
    }

    @Test
    void amzHeadersAreCanonicalized() {
        var r = request("PUT", "/db-backup.dat.gz", "").header("User-Agent", "curl/7.15.5")
                .header("Host", "static.johnsmith.net:8080").header("Date", "Tue, 27 Mar 2007 21:06:08 +0000")
                .header("x-amz-acl", "public-read").header("content-type", "application/x-download")
                .header("Content-MD5", "4gJE4saaMU4BqNR0kLY+lw==")
                .header("X-Amz-Meta-ReviewedBy", "joe@johnsmith.net").header("X-Amz-Meta-ReviewedBy", "jane@johnsmith.net")
                .header("X-Amz-Meta-FileChecksum", "0x02661779").header("X-Amz-Meta-ChecksumAlgorithm", "crc32")
                .header("Content-Disposition", "attachment; filename=database.dat")
                .header("Content-Encoding", "gzip").header("Content-Length", "5913339")
                .header("Authorization", "AWS " + AK + ":ilyl83RwaSoYIEdixDQcA4OnAnc=").build();
        assertEquals(AK, at("2007-03-27T21:06:00Z").verify(r, "static.johnsmith.net").accessKey());
    }

    @Test
    void listAllMyBuckets() {
        var r = request("GET", "/", "").header("Host", "s3.amazonaws.com").header("Date", "Wed, 28 Mar 2007 01:29:59 +0000")
                .header("Authorization", "AWS " + AK + ":qGdzdERIC03wnaRNKh6OqZehG9s=").build();
        assertEquals(AK, at("2007-03-28T01:30:00Z").verify(r, null).accessKey());
    }

    @Test
    void unicodeKeysSignThePathAsSent() {
        var r = request("GET", "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", "").header("Host", "s3.amazonaws.com")
                .header("Date", "Wed, 28 Mar 2007 01:49:49 +0000")
                .header("Authorization", "AWS " + AK + ":DNEZGsoieTZ92F3bUfSPQcbGmlM=").build();
        assertEquals(AK, at("2007-03-28T01:50:00Z").verify(r, null).accessKey());
    }

    @Test
    void queryStringAuthentication() {
        var r = request("GET", "/photos/puppy.jpg",
                "AWSAccessKeyId=" + AK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620")
                .header("Host", "johnsmith.s3.amazonaws.com").build();
        assertTrue(SigV2Verifier.applies(r));
        assertEquals(AK, at("2007-03-29T03:00:00Z").verify(r, "johnsmith").accessKey());
        assertReason(AuthException.Reason.EXPIRED, () -> at("2007-03-29T03:40:21Z").verify(r, "johnsmith"));
    }

    @Test
    void wrongSecretUnknownKeySkewAndMissingDate() {
        var bad = request("GET", "/photos/puppy.jpg", "").header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMV=").build();
        assertReason(AuthException.Reason.SIGNATURE_MISMATCH, () -> march27().verify(bad, "johnsmith"));
        var unknown = request("GET", "/photos/puppy.jpg", "").header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS AKIDUNKNOWN:bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        assertReason(AuthException.Reason.INVALID_ACCESS_KEY, () -> march27().verify(unknown, "johnsmith"));
        var good = request("GET", "/photos/puppy.jpg", "").header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        assertReason(AuthException.Reason.TIME_SKEWED, () -> at("2007-03-27T20:00:00Z").verify(good, "johnsmith"));
        var noDate = request("GET", "/photos/puppy.jpg", "")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        assertReason(AuthException.Reason.DENIED, () -> march27().verify(noDate, "johnsmith"));
        var malformed = request("GET", "/photos/puppy.jpg", "").header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK).build();
        assertReason(AuthException.Reason.MALFORMED_AUTHORIZATION, () -> march27().verify(malformed, "johnsmith"));
        var partialQuery = request("GET", "/photos/puppy.jpg", "AWSAccessKeyId=" + AK + "&Expires=1175139620").build();
        assertTrue(SigV2Verifier.applies(partialQuery));
        assertReason(AuthException.Reason.DENIED, () -> march27().verify(partialQuery, "johnsmith"));
    }

    /** botocore signs a path-style bucket request as "/bucket/" while it sends "/bucket" (with a body or none). */
    @Test
    void aPathStyleBucketRequestSignedWithATrailingSlashVerifies() {
        String date = "Tue, 27 Mar 2007 19:36:42 +0000";
        String signature = SigV2Verifier.sign(TestRequests.SECRET_KEY, "PUT\n\napplication/xml\n" + date + "\n/johnsmith/");
        var r = request("PUT", "/johnsmith", "").header("Date", date).header("Content-Type", "application/xml")
                .header("Content-Length", "153").header("Authorization", "AWS " + AK + ":" + signature).build();
        assertEquals(AK, march27().verify(r, null).accessKey());
        var objectLevel = request("PUT", "/johnsmith/k", "").header("Date", date)
                .header("Authorization", "AWS " + AK + ":" + SigV2Verifier.sign(TestRequests.SECRET_KEY,
                        "PUT\n\n\n" + date + "\n/johnsmith/k/")).build();
        assertReason(AuthException.Reason.SIGNATURE_MISMATCH, () -> march27().verify(objectLevel, null));
    }

    @Test
    void sigV4AndAnonymousRequestsAreNotV2() {
        assertFalse(SigV2Verifier.applies(request("GET", "/", "").build()));
        assertFalse(SigV2Verifier.applies(request("GET", "/", "")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=x").build()));
        assertFalse(SigV2Verifier.applies(request("GET", "/", "X-Amz-Signature=ab&Signature=x").build()));
    }

    @Test
    void chunkedPayloadNeedsSigV4() {
        var r = request("PUT", "/photos/puppy.jpg", "").header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Content-Encoding", "aws-chunked")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        assertReason(AuthException.Reason.UNSUPPORTED, () -> march27().verify(r, "johnsmith"));
    }

    static void assertReason(AuthException.Reason reason, Runnable call) {
        AuthException e = assertThrows(AuthException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
    }
}
