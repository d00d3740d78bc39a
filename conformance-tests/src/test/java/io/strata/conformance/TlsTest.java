package io.strata.conformance;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway serving HTTPS with the self-signed certificate it generates on first start
 * ({@code --tls-self-signed}), used the way an operator would: the SDK, the {@code aws} CLI, s3cmd
 * and rclone trust {@code DATA_DIR/tls/cert.pem} as their CA bundle, the {@code strata} commands
 * find it themselves.
 */
class TlsTest {
    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;
    static final List<String> payloadModes = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = StrataServer.start(root, Map.of(), List.of("--tls-self-signed"));
        s3 = client(certificate());
        s3.createBucket(b -> b.bucket("secure"));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (server != null) server.close();
    }

    static Path certificate() {
        return server.dataDir().resolve("tls").resolve("cert.pem");
    }

    static URI endpoint() {
        return URI.create("https://127.0.0.1:" + server.port());
    }

    /** The SDK with its defaults, trusting only the given certificate. */
    static S3Client client(Path trusted) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(trusted)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("strata", cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return S3Client.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(S3Clients.credentials(StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY))
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .httpClient(ApacheHttpClient.builder().tlsTrustManagersProvider(tmf::getTrustManagers)
                        .socketTimeout(Duration.ofSeconds(60)).build())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        context.httpRequest().firstMatchingHeader("x-amz-content-sha256").ifPresent(payloadModes::add);
                    }
                }))
                .build();
    }

    @Test
    void theSdkUploadsAndDownloadsOverHttpsWithUnsignedTrailingChecksums() {
        byte[] data = TestData.bytes(41, 6 * 1024 * 1024 + 17);
        payloadModes.clear();
        var put = s3.putObject(b -> b.bucket("secure").key("data.bin"), RequestBody.fromBytes(data));
        // Over HTTPS the SDK leaves chunk signing to TLS: an unsigned aws-chunked body with a CRC32
        // trailer, which the gateway verifies without hashing the payload with SHA-256.
        assertEquals(List.of("STREAMING-UNSIGNED-PAYLOAD-TRAILER"), payloadModes);
        assertEquals('"' + TestData.md5Hex(data) + '"', put.eTag());
        assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket("secure").key("data.bin")).asByteArray());
        byte[] range = s3.getObjectAsBytes(b -> b.bucket("secure").key("data.bin").range("bytes=1000-2999")).asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 3000), range);
        var head = s3.headObject(b -> b.bucket("secure").key("data.bin").checksumMode(ChecksumMode.ENABLED));
        assertNotNull(head.checksumCRC32(), "the trailer's CRC32 is stored and returned");
    }

    @Test
    void multipartUploadsWorkOverHttps() {
        byte[] a = TestData.bytes(42, 5 * 1024 * 1024);
        byte[] b2 = TestData.bytes(43, 300_000);
        String id = s3.createMultipartUpload(b -> b.bucket("secure").key("mp")).uploadId();
        String e1 = s3.uploadPart(b -> b.bucket("secure").key("mp").uploadId(id).partNumber(1), RequestBody.fromBytes(a)).eTag();
        String e2 = s3.uploadPart(b -> b.bucket("secure").key("mp").uploadId(id).partNumber(2), RequestBody.fromBytes(b2)).eTag();
        s3.completeMultipartUpload(b -> b.bucket("secure").key("mp").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
        byte[] back = s3.getObjectAsBytes(b -> b.bucket("secure").key("mp")).asByteArray();
        byte[] expected = new byte[a.length + b2.length];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b2, 0, expected, a.length, b2.length);
        assertArrayEquals(expected, back);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        Path other = Files.createTempFile(root, "other", ".pem");
        // A different self-signed certificate: the one a second gateway generated.
        try (StrataServer second = StrataServer.start(root.resolve("second"), Map.of(), List.of("--tls-self-signed"))) {
            Files.copy(second.dataDir().resolve("tls").resolve("cert.pem"), other, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (S3Client untrusting = client(other)) {
            Exception e = assertThrows(Exception.class, () -> untrusting.listBuckets());
            Throwable cause = e;
            while (cause != null && !(cause instanceof SSLHandshakeException)) cause = cause.getCause();
            assertNotNull(cause, "expected a TLS handshake failure, got " + e);
        }
    }

    @Test
    void theAwsCliTrustsTheGeneratedCertificateAsItsCaBundle() throws Exception {
        RealClients.skipIfOptedOut();
        Path aws = RealClients.onPathOrFail("aws", "awscli");
        Path file = root.resolve("cli.bin");
        byte[] data = TestData.bytes(44, 3 * 1024 * 1024);
        Files.write(file, data);
        run(aws, "s3", "cp", file.toString(), "s3://secure/cli.bin");
        run(aws, "s3", "cp", "s3://secure/cli.bin", root.resolve("cli.back").toString());
        assertArrayEquals(data, Files.readAllBytes(root.resolve("cli.back")));
    }

    @Test
    void s3cmdChecksTheCertificateAndHostName() throws Exception {
        RealClients.skipIfOptedOut();
        RealClients.onPathOrFail("s3cmd", "s3cmd");
        script("s3cmd.sh", "bash");
    }

    @Test
    void rcloneTrustsTheCertificateWithCaCert() throws Exception {
        RealClients.skipIfOptedOut();
        RealClients.onPathOrFail("rclone", "rclone");
        script("rclone.sh", "bash");
    }

    @Test
    void theAwsCliScriptRunsWithCaBundle() throws Exception {
        RealClients.skipIfOptedOut();
        RealClients.onPathOrFail("aws", "awscli");
        script("aws-cli.sh", "bash");
    }

    @Test
    void theBoto3ScriptRunsWithVerify() throws Exception {
        RealClients.skipIfOptedOut();
        // Debian's python3 with python3-boto3 (what CI installs), else the first python3 on PATH with boto3.
        Path python = RealClients.hasBoto3(RealClients.DEBIAN_PYTHON) ? RealClients.DEBIAN_PYTHON
                : RealClients.onPath("python3").filter(RealClients::hasBoto3)
                        .orElseGet(() -> RealClients.missing("no python3 with boto3", "install the Debian package python3-boto3"));
        script("boto3_test.py", python.toString());
    }

    /** A real-client script of conformance-tests/scripts, pointed at the HTTPS endpoint and the certificate. */
    private static void script(String name, String interpreter) throws Exception {
        Path scripts = Path.of(System.getProperty("strata.scripts", "scripts")).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(interpreter, scripts.resolve(name).toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("STRATA_ENDPOINT", endpoint().toString());
        env.put("STRATA_CA_BUNDLE", certificate().toString());
        env.put("AWS_ACCESS_KEY_ID", StrataServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", StrataServer.SECRET_KEY);
        env.put("TMPDIR", root.toString());
        // aws-cli.sh's multipart file: RealClientsTest copies the 1 GiB one; here the CA bundle is the point.
        env.put("STRATA_BIG_SIZE", RealClients.AWS_CLI_SMALLER_FILE);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean finished = p.waitFor(4, TimeUnit.MINUTES);
        if (!finished) p.destroyForcibly();
        assertTrue(finished, name + " did not finish:\n" + output);
        assertEquals(0, p.exitValue(), name + " over HTTPS:\n" + output);
    }

    @Test
    void theStrataCommandsReachAnHttpsGateway() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", StrataServer.jar().toString(), "tier", "list", "--data-dir", server.dataDir().toString(),
                "--gateway", endpoint().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("STRATA_ACCESS_KEY", StrataServer.ACCESS_KEY);
        pb.environment().put("STRATA_SECRET_KEY", StrataServer.SECRET_KEY);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("COLD"), output);
    }

    private static void run(Path aws, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(aws.toString(), "--endpoint-url", endpoint().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("AWS_PROFILE");
        env.put("AWS_CA_BUNDLE", certificate().toString());
        env.put("AWS_ACCESS_KEY_ID", StrataServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", StrataServer.SECRET_KEY);
        env.put("AWS_DEFAULT_REGION", StrataServer.REGION);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "aws did not finish");
        assertEquals(0, p.exitValue(), "aws " + String.join(" ", args) + ":\n" + output);
    }
}
