/**
 * Strata checksum module: the S3 flexible checksums (x-amz-checksum-*) and the stream that computes
 * them with the ETag's MD5, in plain JDK code.
 *
 * <p>{@link io.strata.checksum.ChecksumAlgorithm} names the five algorithms S3 accepts (CRC32, CRC32C,
 * CRC64NVME, SHA1, SHA256) and builds multipart checksums from the parts' ones (the CRC combine for
 * FULL_OBJECT, the checksum of checksums for COMPOSITE); {@link io.strata.checksum.Checksummer} is one
 * running checksum. {@link io.strata.checksum.HashingInputStream} computes every digest a write needs
 * on the pass that stores the bytes, MD5 optionally on a thread of its own.
 *
 * <p>The checksums are an integrity concern shared by three modules: {@code auth} checks an aws-chunked
 * body's trailing checksum, {@code gateway} computes and checks the declared ones, {@code tiering}
 * verifies cold copies. Each byte of a body is summed once per algorithm: an aws-chunked body sums and
 * checks its trailing checksum as it decodes (it must fail the read that returns the last byte), and the
 * gateway takes that checked value from the body's trailers instead of asking the hashing stream for it.
 */
package io.strata.checksum;
