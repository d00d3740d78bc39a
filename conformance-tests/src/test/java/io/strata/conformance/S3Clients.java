package io.strata.conformance;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

import org.apache.http.impl.conn.SystemDefaultDnsResolver;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * AWS SDK v2 clients for a {@link StrataServer}, configured the way a user would: region
 * us-east-1, static credentials, an endpoint override, and otherwise the SDK's defaults — in
 * particular its default request checksums (CRC32 in an aws-chunked trailer on uploads).
 *
 * <p>Retries are off so that a flaky first attempt fails the test instead of hiding behind a retry.
 */
public final class S3Clients {
    private S3Clients() {
    }

    public static S3Client pathStyle(StrataServer server) {
        return client(server.endpoint(), true, credentials(StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY));
    }

    public static S3Client virtualHostStyle(StrataServer server) {
        return client(server.virtualHostEndpoint(), false, credentials(StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY));
    }

    public static S3Client withCredentials(StrataServer server, String accessKey, String secretKey) {
        return client(server.endpoint(), true, credentials(accessKey, secretKey));
    }

    public static S3Client anonymous(StrataServer server) {
        return client(server.endpoint(), true, AnonymousCredentialsProvider.create());
    }

    public static S3Presigner presigner(StrataServer server) {
        return S3Presigner.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY))
                .endpointOverride(server.endpoint())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    private static S3Client client(URI endpoint, boolean pathStyle, AwsCredentialsProvider credentials) {
        return S3Client.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .endpointOverride(endpoint)
                .forcePathStyle(pathStyle)
                .httpClient(httpClient())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(Duration.ofMinutes(3))
                        .build())
                .build();
    }

    /**
     * Apache client whose resolver maps {@code localhost} and every {@code *.localhost} name to
     * 127.0.0.1: glibc may not resolve {@code BUCKET.localhost}, and the gateway listens on IPv4
     * loopback only.
     */
    static SdkHttpClient httpClient() {
        return ApacheHttpClient.builder()
                .dnsResolver(host -> {
                    String name = host.toLowerCase(Locale.ROOT);
                    if (name.equals("localhost") || name.endsWith(".localhost")) {
                        try {
                            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
                        } catch (UnknownHostException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return SystemDefaultDnsResolver.INSTANCE.resolve(host);
                })
                .socketTimeout(Duration.ofSeconds(60))
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
    }
}
