package io.strata.conformance;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A hand-built HTTP request to the gateway, optionally signed with SigV4 (Authorization header),
 * for what the SDK will not send: malformed bodies, odd {@code x-amz-content-sha256} values,
 * skewed clocks, unsupported subresources. The signer is our own so a test controls every input;
 * {@code RawRequestSignerTest} checks it against the SDK's signer.
 */
public final class RawRequest {
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String method;
    private final String path;
    private final Map<String, String> query = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private byte[] body = new byte[0];
    private String accessKey = StrataServer.ACCESS_KEY;
    private String secretKey = StrataServer.SECRET_KEY;
    private Instant signingTime;
    private String payloadHash;
    private boolean signed = true;
    private final Map<String, String> unsignedHeaders = new LinkedHashMap<>();
    private boolean contentSha256Unsigned;

    private RawRequest(String method, String path) {
        this.method = method;
        this.path = path;
    }

    /** {@code path} is the unencoded path, e.g. {@code /bucket/some key}. */
    public static RawRequest of(String method, String path) {
        return new RawRequest(method, path);
    }

    public RawRequest query(String name, String value) {
        query.put(name, value);
        return this;
    }

    public RawRequest header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public RawRequest body(byte[] content) {
        body = content.clone();
        return this;
    }

    public RawRequest body(String content) {
        return body(content.getBytes(StandardCharsets.UTF_8));
    }

    /** A header sent on the wire but left out of SignedHeaders, as a man in the middle would add it. */
    public RawRequest unsignedHeader(String name, String value) {
        unsignedHeaders.put(name, value);
        return this;
    }

    /** Sends x-amz-content-sha256 (its value still the canonical payload hash) without listing it in SignedHeaders. */
    public RawRequest contentSha256Unsigned() {
        contentSha256Unsigned = true;
        return this;
    }

    /** Sends no Authorization at all (an anonymous request). */
    public RawRequest unsigned() {
        signed = false;
        return this;
    }

    public RawRequest credentials(String access, String secret) {
        accessKey = access;
        secretKey = secret;
        return this;
    }

    public RawRequest signingTime(Instant time) {
        signingTime = time;
        return this;
    }

    /** The {@code x-amz-content-sha256} value to send and sign; by default the body's SHA-256. */
    public RawRequest payloadHash(String value) {
        payloadHash = value;
        return this;
    }

    public Response send(StrataServer server) throws IOException, InterruptedException {
        String host = "127.0.0.1:" + server.port();
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (signed) {
            Instant time = signingTime != null ? signingTime : Instant.now();
            String hash = payloadHash != null ? payloadHash : TestData.sha256(body);
            all.put("x-amz-date", AMZ_DATE.format(time));
            if (!contentSha256Unsigned) all.put("x-amz-content-sha256", hash);
            all.put("Authorization", authorization(method, host, path, query, all, hash, time, accessKey, secretKey));
            if (contentSha256Unsigned) all.put("x-amz-content-sha256", hash);
        }
        all.putAll(unsignedHeaders);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + canonicalUri(path) + queryString(query)))
                .timeout(Duration.ofSeconds(60))
                .method(method, body.length == 0 && !method.equals("PUT") && !method.equals("POST")
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        all.forEach(request::header);
        HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.headers().map(), response.body());
    }

    /** The Authorization header value of a SigV4 header-signed request (all given headers signed, plus host). */
    static String authorization(String method, String host, String path, Map<String, String> query,
                                Map<String, String> headers, String payloadHash, Instant time,
                                String accessKey, String secretKey) {
        TreeMap<String, String> canonicalHeaders = new TreeMap<>();
        canonicalHeaders.put("host", host);
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("authorization")) {
                canonicalHeaders.put(lower, value.trim().replaceAll(" +", " "));
            }
        });
        String signedHeaders = String.join(";", canonicalHeaders.keySet());
        String canonicalRequest = method + "\n"
                + canonicalUri(path) + "\n"
                + canonicalQuery(query) + "\n"
                + canonicalHeaders.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n").collect(Collectors.joining())
                + "\n"
                + signedHeaders + "\n"
                + payloadHash;
        String date = AMZ_DATE.format(time).substring(0, 8);
        String scope = date + "/" + StrataServer.REGION + "/s3/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + AMZ_DATE.format(time) + "\n" + scope + "\n"
                + TestData.sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, StrataServer.REGION);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        String signature = HexFormat.of().formatHex(hmac(key, stringToSign));
        return "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ", SignedHeaders=" + signedHeaders
                + ", Signature=" + signature;
    }

    static String canonicalUri(String path) {
        return uriEncode(path, false);
    }

    static String canonicalQuery(Map<String, String> query) {
        TreeMap<String, String> sorted = new TreeMap<>();
        query.forEach((k, v) -> sorted.put(uriEncode(k, true), uriEncode(v, true)));
        return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
    }

    private static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        // A bare subresource (?delete, ?uploads) is sent without '='; signed as "delete=".
        query.forEach((k, v) -> parts.add(v.isEmpty() ? uriEncode(k, true) : uriEncode(k, true) + "=" + uriEncode(v, true)));
        return "?" + String.join("&", parts);
    }

    /** AWS URI encoding: unreserved characters stay, everything else is %XX of its UTF-8 bytes. */
    static String uriEncode(String value, boolean encodeSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A response with its body read whole (raw requests are only used for small bodies). */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst();
        }

        /** The parsed XML body; fails the caller with the raw text if it is not XML. */
        public Document xml() {
            return Xml.parse(text());
        }

        /** The {@code <Code>} of an S3 {@code <Error>} body. */
        public String errorCode() {
            Document doc = xml();
            Element root = doc.getDocumentElement();
            if (!root.getTagName().equals("Error")) {
                throw new AssertionError("expected an S3 <Error> body, got: " + text());
            }
            return Xml.text(root, "Code");
        }

        @Override
        public String toString() {
            return status + " " + headers + "\n" + text();
        }
    }

    /** Minimal DOM helpers for S3 XML. */
    public static final class Xml {
        private Xml() {
        }

        public static Document parse(String text) {
            try {
                DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
                factory.setNamespaceAware(false);
                factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                return factory.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new AssertionError("not well-formed XML (" + e.getMessage() + "): " + text, e);
            }
        }

        /** Text of the first descendant element with this tag, or null. */
        public static String text(Element parent, String tag) {
            NodeList nodes = parent.getElementsByTagName(tag);
            return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
        }

        /** Texts of all descendant elements with this tag, in document order. */
        public static List<String> texts(Document doc, String tag) {
            NodeList nodes = doc.getElementsByTagName(tag);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                out.add(nodes.item(i).getTextContent());
            }
            return out;
        }
    }
}
