/**
 * S3's XML documents: the bucket lifecycle, CORS and tagging configurations, the access control
 * policy, and the DeleteObjects, CompleteMultipartUpload and RestoreObject request bodies, read and
 * validated into records and written back. Throws the S3 API's errors (MalformedXML, InvalidArgument,
 * ...), so it depends on {@code s3}, and on the generic reader and writer of
 * {@code io.strata.gateway.xml}; {@code s3} itself never depends on it.
 */
package io.strata.gateway.s3.xml;
