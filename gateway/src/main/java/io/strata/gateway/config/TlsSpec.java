package io.strata.gateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * HTTPS for the S3 endpoint: a PEM certificate chain and its PEM private key (PKCS#8, PKCS#1 or
 * SEC1; unencrypted), or a self-signed pair generated once into {@code DATA_DIR/tls/} for
 * development and tests ({@code server.tls.self-signed}).
 *
 * <p>Over HTTPS the AWS SDKs send {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}: the body is protected
 * by TLS and by the trailing checksum, and neither side hashes it with SHA-256 for chunk signatures.
 */
public record TlsSpec(Path certificate, Path privateKey, boolean selfSigned) {
    static final String DIR = "tls";
    private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(3650);

    static TlsSpec selfSigned(Path dataDir) {
        Path dir = dataDir.resolve(DIR);
        return new TlsSpec(dir.resolve("cert.pem"), dir.resolve("key.pem"), true);
    }

    /**
     * Creates the self-signed pair if this spec is self-signed and the files do not exist yet: an EC
     * P-256 key (file mode 0600) and a certificate for {@code localhost}, {@code *.DOMAIN},
     * 127.0.0.1, ::1, the listen address and this machine's name. Files written are fsynced and
     * renamed into place, the key first.
     *
     * @return true when it created them
     */
    public boolean createIfMissing(String host, String domain) throws IOException {
        if (!selfSigned || (Files.exists(certificate) && Files.exists(privateKey))) return false;
        Files.createDirectories(certificate.getParent());
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X509Certificate cert = selfSignedCertificate(pair, names(host, domain));
            DurableFiles.write(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII), true);
            DurableFiles.write(certificate, pem("CERTIFICATE", cert.getEncoded()).getBytes(StandardCharsets.US_ASCII), false);
            return true;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** The private key, or an IOException saying what is wrong with the file. */
    public PrivateKey loadPrivateKey() throws IOException {
        try (Reader reader = Files.newBufferedReader(privateKey, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
                if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IOException(privateKey + ": the private key is encrypted; give an unencrypted PEM key "
                            + "(e.g. openssl pkey -in KEY -out plain.pem) kept readable by the gateway only");
                }
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(privateKey.toString())) throw e;
            throw new IOException(privateKey + ": not a PEM private key (" + e.getMessage() + ")", e);
        }
        throw new IOException(privateKey + ": no PEM private key in the file");
    }

    /** The certificate chain, leaf first. */
    public List<X509Certificate> loadChain() throws IOException {
        try (InputStream in = Files.newInputStream(certificate)) {
            List<X509Certificate> chain = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) chain.add((X509Certificate) c);
            if (chain.isEmpty()) throw new IOException(certificate + ": no PEM certificate in the file");
            return chain;
        } catch (GeneralSecurityException e) {
            throw new IOException(certificate + ": not a PEM certificate chain (" + e.getMessage() + ")", e);
        }
    }

    /**
     * An HTTP client for the {@code strata} commands that trusts this gateway's certificate (as well as
     * the JDK's usual authorities), so a self-signed gateway needs no extra step.
     */
    HttpClient.Builder trustingClient() throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : loadChain()) trust.setCertificateEntry("gateway-" + i++, c);
            TrustManagerFactory gateway = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            gateway.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, gateway.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(context);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + certificate + ": " + e.getMessage(), e);
        }
    }

    private static Set<String> names(String host, String domain) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        if (!domain.isEmpty()) {
            names.add(domain);
            names.add("*." + domain);
        }
        if (!host.equals("0.0.0.0") && !host.equals("::")) names.add(host);
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            // no machine name: the loopback names still work
        }
        return names;
    }

    private static X509Certificate selfSignedCertificate(KeyPair pair, Set<String> names)
            throws GeneralSecurityException, IOException, OperatorCreationException {
        X500Name subject = new X500Name("CN=Strata self-signed, O=Strata");
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(128, new SecureRandom());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SELF_SIGNED_VALIDITY)), subject, pair.getPublic());
        List<GeneralName> alt = new ArrayList<>();
        for (String n : names) {
            boolean ip = n.contains(":") || n.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
            alt.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        // Its own authority: clients put this file in their CA bundle (AWS_CA_BUNDLE, --ca-bundle).
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
