package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Bad input gets the S3 error a client expects (XML body, status, code) and never changes state or
 * takes the gateway down: malformed XML, unsupported operations, huge headers, bad arguments.
 */
class ProtocolErrorTest extends GatewayTest {
    private static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = createBucket("protocol");
        s3.putObject(b -> b.bucket(bucket).key("keep"), RequestBody.fromString("keep"));
    }

    @Test
    void errorBodyIsS3Xml() throws Exception {
        RawRequest.Response response = RawRequest.of("GET", "/" + bucket + "/no-such-key").send(server);
        assertEquals(404, response.status());
        assertEquals("NoSuchKey", response.errorCode());
        assertTrue(response.header("Content-Type").orElse("").contains("xml"), "Content-Type " + response.header("Content-Type"));
        assertNotNull(RawRequest.Xml.text(response.xml().getDocumentElement(), "Message"), "Message");
        assertNotNull(RawRequest.Xml.text(response.xml().getDocumentElement(), "RequestId"), "RequestId");
    }

    @Test
    void malformedDeleteObjectsXmlIsMalformedXml() throws Exception {
        for (String body : new String[] {
                "<Delete><Object><Key>keep</Key></Object>",            // truncated
                "this is not xml at all",
                "<Delete><Object><Key>keep</Key></Object></Remove>"}) { // mismatched tags
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            RawRequest.Response response = RawRequest.of("POST", "/" + bucket).query("delete", "")
                    .header("Content-MD5", TestData.md5Base64(bytes)).body(bytes).send(server);
            assertEquals(400, response.status(), response::toString);
            assertEquals("MalformedXML", response.errorCode(), body);
        }
        assertEquals("keep", s3.getObjectAsBytes(b -> b.bucket(bucket).key("keep")).asUtf8String());
    }

    @Test
    void malformedCompleteMultipartUploadXmlIsMalformedXml() throws Exception {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("mpu")).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(bucket).key("mpu").uploadId(uploadId).partNumber(1), RequestBody.fromString("part")).eTag();
        for (String body : new String[] {
                "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + etag + "</ETag></Part>",
                "garbage"}) {
            RawRequest.Response response = RawRequest.of("POST", "/" + bucket + "/mpu").query("uploadId", uploadId).body(body).send(server);
            assertEquals(400, response.status(), response::toString);
            assertEquals("MalformedXML", response.errorCode(), body);
        }
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("mpu")));
        s3.abortMultipartUpload(b -> b.bucket(bucket).key("mpu").uploadId(uploadId));
    }

    @Test
    void unsupportedOperationsAreNotImplemented() throws Exception {
        for (String subresource : new String[] {"logging", "website"}) {
            RawRequest.Response response = RawRequest.of("GET", "/" + bucket).query(subresource, "").send(server);
            assertEquals(501, response.status(), () -> subresource + ": " + response);
            assertEquals("NotImplemented", response.errorCode(), subresource);
        }
        assertS3Error(501, "NotImplemented", () -> s3.getBucketLogging(b -> b.bucket(bucket)));
        assertS3Error(501, "NotImplemented", () -> s3.getBucketWebsite(b -> b.bucket(bucket)));
    }

    @Test
    void invalidMaxKeysIsInvalidArgument() throws Exception {
        RawRequest.Response response = RawRequest.of("GET", "/" + bucket).query("list-type", "2").query("max-keys", "lots").send(server);
        assertEquals(400, response.status(), response::toString);
        assertEquals("InvalidArgument", response.errorCode());
    }

    @Test
    void garbledAuthorizationHeaderIsAnS3Error() throws Exception {
        RawRequest.Response response = RawRequest.of("GET", "/" + bucket + "/keep").unsigned()
                .header("Authorization", "AWS4-HMAC-SHA256 this is not a valid authorization header").send(server);
        assertTrue(response.status() == 400 || response.status() == 403, response::toString);
        response.errorCode();
    }

    /** A 64 KiB header gets an error status quickly, not a hang or a crash; the gateway keeps serving. */
    @Test
    void hugeHeaderGetsAnErrorStatus() throws Exception {
        String huge = "a".repeat(64 * 1024);
        String statusLine;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            String request = "GET /" + bucket + "/keep HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + server.port() + "\r\n"
                    + "x-amz-meta-huge: " + huge + "\r\n"
                    + "Connection: close\r\n\r\n";
            try {
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (SocketException closedEarly) {
                // The server may refuse before reading everything; its answer is still readable.
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            statusLine = in.readLine();
        }
        assertNotNull(statusLine, "no response to a request with a 64 KiB header");
        String[] parts = statusLine.split(" ");
        int status = Integer.parseInt(parts[1]);
        assertTrue(status >= 400 && status < 500, "status of a request with a 64 KiB header: " + statusLine);
        assertEquals("keep", s3.getObjectAsBytes(b -> b.bucket(bucket).key("keep")).asUtf8String(), "the gateway still serves");
    }

    @Test
    void hugeHeaderOnSignedRequestThroughTheSdk() {
        String value = "b".repeat(64 * 1024);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () ->
                s3.putObject(b -> b.bucket(bucket).key("huge-meta").metadata(java.util.Map.of("huge", value)), RequestBody.fromString("x")));
        // Either an S3 error status or a closed connection; never a stored object, never a hang.
        if (e instanceof software.amazon.awssdk.services.s3.model.S3Exception s3e) {
            assertTrue(s3e.statusCode() >= 400 && s3e.statusCode() < 500, describe(s3e));
        }
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("huge-meta")));
    }

    @Test
    void gatewaySurvivesARequestCutOffMidBody() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            String head = "PUT /" + bucket + "/cut-off HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\nContent-Length: 1000000\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[1000]);
        }
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("cut-off")));
        assertEquals("keep", s3.getObjectAsBytes(b -> b.bucket(bucket).key("keep")).asUtf8String());
    }

    /**
     * botocore keeps the pre-parsed status of a final response that came without "100 Continue" and
     * misreads the next response on that connection (a 60 s stall in `aws s3 sync` of a tree with an
     * empty file). An empty PUT sent with Expect: 100-continue is therefore answered with
     * Connection: close, so the client does not reuse that connection.
     */
    @Test
    void emptyPutWithExpectContinueIsStoredAndAnsweredWithConnectionClose() throws Exception {
        String path = "/" + bucket + "/empty-expect";
        java.time.Instant now = java.time.Instant.now();
        String amzDate = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(now);
        String emptySha = TestData.sha256(new byte[0]);
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("content-length", "0");
        headers.put("expect", "100-continue");
        headers.put("x-amz-content-sha256", emptySha);
        headers.put("x-amz-date", amzDate);
        String host = "127.0.0.1:" + server.port();
        String authorization = RawRequest.authorization("PUT", host, path, java.util.Map.of(), headers, emptySha, now,
                StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("PUT " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            request.append("Authorization: ").append(authorization).append("\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertTrue(status != null && status.startsWith("HTTP/1.1 200"), "status " + status);
            boolean close = false;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.equalsIgnoreCase("Connection: close")) close = true;
            }
            // Clients (botocore's http.client among them) drop a connection whose response says close.
            assertTrue(close, "the response should carry Connection: close");
        }
        assertEquals(0L, s3.headObject(b -> b.bucket(bucket).key("empty-expect")).contentLength());
    }

    /**
     * Transfer-Encoding and Content-Length together frame the request two ways: a proxy in front that
     * trusts Content-Length would pass on, as part of this body, what we read as a second request
     * (request smuggling). The request is refused and nothing after it on the connection is answered.
     */
    @Test
    void requestWithTransferEncodingAndContentLengthIsRefusedAndTheConnectionClosed() throws Exception {
        String host = "127.0.0.1:" + server.port();
        String smuggled = "PUT /" + bucket + "/smuggled HTTP/1.1\r\nHost: " + host + "\r\n"
                + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n"
                + "0\r\n\r\n"
                + "GET /_strata/health HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        String received = exchange(smuggled);
        assertTrue(received.startsWith("HTTP/1.1 501"), received);
        assertTrue(received.contains("<Code>NotImplemented</Code>") && received.contains("<Header>Transfer-Encoding</Header>"), received);
        assertEquals(1, received.split("HTTP/1.1 ", -1).length - 1, "the pipelined second request must never be answered: " + received);
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("smuggled")));
    }

    /** A Transfer-Encoding the gateway does not decode would leave its chunks to be read as the next request. */
    @Test
    void requestWithAnUndecodedTransferEncodingIsRefusedAndTheConnectionClosed() throws Exception {
        String host = "127.0.0.1:" + server.port();
        for (String coding : new String[] {"gzip, chunked", "Chunked"}) {
            String received = exchange("PUT /" + bucket + "/smuggled-te HTTP/1.1\r\nHost: " + host + "\r\n"
                    + "Transfer-Encoding: " + coding + "\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n"
                    + "0\r\n\r\n"
                    + "GET /_strata/health HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertTrue(received.startsWith("HTTP/1.1 501"), coding + ": " + received);
            assertEquals(1, received.split("HTTP/1.1 ", -1).length - 1, coding + ": nothing after it is answered: " + received);
        }
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("smuggled-te")));
    }

    /** A response that says Connection: close is followed by the end of the connection, not by a wait. */
    @Test
    void responseWithConnectionCloseIsFollowedByTheEndOfTheConnection() throws Exception {
        String received = exchange("GET /" + bucket + "/keep HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(received.startsWith("HTTP/1.1 "), received);
        assertTrue(received.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), received);
    }

    /** A request line longer than the gateway reads gets an S3 error and the end of the connection, not silence. */
    @Test
    void requestLineOf16KiBIsAnsweredUriTooLong() throws Exception {
        String received = exchange("GET /" + bucket + "/" + "k".repeat(16 << 10) + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n");
        assertTrue(received.startsWith("HTTP/1.1 414"), received);
        String body = received.substring(received.indexOf("\r\n\r\n") + 4);
        assertEquals("RequestURITooLong", RawRequest.Xml.text(RawRequest.Xml.parse(body).getDocumentElement(), "Code"), received);
    }

    /**
     * Sends the bytes on a fresh connection and reads until the server closes it; fails if the server
     * keeps the connection open for 15 s (our own read timeout, so a connection left open shows as a failure).
     */
    private static String exchange(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(15_000);
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            } catch (SocketException closedEarly) {
                // The server may answer and close before reading everything; its answer is still readable.
            }
            java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buf)) >= 0; ) in.write(buf, 0, n);
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("the server kept the connection open; received: " + in.toString(StandardCharsets.US_ASCII));
            } catch (SocketException reset) {
                // closed while unread request bytes were pending: a reset, which also ends the connection
            }
            return in.toString(StandardCharsets.US_ASCII);
        }
    }
}
