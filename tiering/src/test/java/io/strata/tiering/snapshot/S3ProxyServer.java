package io.strata.tiering.snapshot;

import io.strata.tiering.S3ColdTierConfig;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/** s3proxy on a transient blob store on loopback: the third-party S3 server the repository tests write to. */
final class S3ProxyServer {
    static final String ACCESS_KEY = "snap-access";
    static final String SECRET_KEY = "snap-secret";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final URI endpoint;

    private S3ProxyServer(BlobStoreContext context, S3Proxy proxy, URI endpoint) {
        this.context = context;
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    static S3ProxyServer start() throws Exception {
        return start(ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class));
    }

    /** s3proxy storing its objects as files under {@code dir} (not in the heap): for measurements with much data. */
    static S3ProxyServer startOnDisk(java.nio.file.Path dir) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        return start(ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(p)
                .build(BlobStoreContext.class));
    }

    private static S3ProxyServer start(BlobStoreContext context) throws Exception {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            Thread.onSpinWait();
        }
        return new S3ProxyServer(context, proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    /** A repository in a fresh bucket, under a prefix. */
    S3Repository newRepository() {
        String bucket = "snap-" + BUCKETS.incrementAndGet();
        context.getBlobStore().createContainerInLocation(null, bucket);
        return S3Repository.create(new S3ColdTierConfig(endpoint, "us-east-1", bucket, "strata/site-a/", ACCESS_KEY,
                SECRET_KEY, true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty()));
    }

    /** A plain SDK client of the server, for looking behind a repository's back. The caller closes it. */
    software.amazon.awssdk.services.s3.S3Client client() {
        return software.amazon.awssdk.services.s3.S3Client.builder().endpointOverride(endpoint)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    void stop() throws Exception {
        proxy.stop();
        context.close();
    }
}
