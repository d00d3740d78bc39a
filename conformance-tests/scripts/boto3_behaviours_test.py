#!/usr/bin/env python3
"""boto3 (1.43, with IfNoneMatch/IfMatch parameters) against a running Strata: conditional writes and
deletes, a repeated CompleteMultipartUpload, the version-id and delete-marker headers, BadDigest for
checksums that do not match, and multipart uploads with SHA-1/SHA-256 checksums (upload_file, and a
Complete that declares the composite checksum, as s3-tests does).

Environment: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Exits non-zero at the first failed step.
"""
import base64
import hashlib
import os
import sys
import tempfile
import time

for name in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from boto3.s3.transfer import TransferConfig  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ENDPOINT = os.environ["STRATA_ENDPOINT"]
PREFIX = "b3b-%d-%d" % (int(time.time()), os.getpid())
MIB = 1024 * 1024
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
# BadDigest is retried by botocore (S3's "contentmd5" retry rule); one attempt keeps the steps quick.
once = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                    config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def step(text):
    print("\n==> " + text, flush=True)


def check(condition, message):
    if not condition:
        print("FAIL: " + message, file=sys.stderr, flush=True)
        sys.exit(1)


def expect_error(status, code, call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        got = e.response.get("Error", {}).get("Code")
        got_status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        check(got == code and got_status == status,
              "expected %d %s, got %s %s: %s" % (status, code, got_status, got, e))
        return e
    check(False, "expected error %s, the call succeeded" % code)


def bucket(hint):
    name = "%s-%s" % (PREFIX, hint)
    s3.create_bucket(Bucket=name)
    return name


def body(key_bucket, key):
    return s3.get_object(Bucket=key_bucket, Key=key)["Body"].read()


step("put_object IfNoneMatch='*' creates once, then 412")
b = bucket("none-match")
s3.put_object(Bucket=b, Key="k", Body=b"first", IfNoneMatch="*")
expect_error(412, "PreconditionFailed", s3.put_object, Bucket=b, Key="k", Body=b"second", IfNoneMatch="*")
check(body(b, "k") == b"first", "the refused put changed the object")

step("put_object IfMatch: mismatch 412, missing key 404 NoSuchKey, match replaces")
etag = s3.head_object(Bucket=b, Key="k")["ETag"]
expect_error(412, "PreconditionFailed", s3.put_object, Bucket=b, Key="k", Body=b"x",
             IfMatch='"0123456789abcdef0123456789abcdef"')
expect_error(404, "NoSuchKey", s3.put_object, Bucket=b, Key="absent", Body=b"x", IfMatch=etag)
s3.put_object(Bucket=b, Key="k", Body=b"second", IfMatch=etag)
check(body(b, "k") == b"second", "the If-Match put did not replace the object")

step("complete_multipart_upload IfNoneMatch on an existing key: 412, the upload stays; then IfMatch completes it")
up = s3.create_multipart_upload(Bucket=b, Key="k")["UploadId"]
p1 = s3.upload_part(Bucket=b, Key="k", UploadId=up, PartNumber=1, Body=os.urandom(5 * MIB))["ETag"]
p2 = s3.upload_part(Bucket=b, Key="k", UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
parts = {"Parts": [{"PartNumber": 1, "ETag": p1}, {"PartNumber": 2, "ETag": p2}]}
expect_error(412, "PreconditionFailed", s3.complete_multipart_upload, Bucket=b, Key="k", UploadId=up,
             MultipartUpload=parts, IfNoneMatch="*")
check(len(s3.list_parts(Bucket=b, Key="k", UploadId=up)["Parts"]) == 2, "the refused complete ended the upload")
etag = s3.head_object(Bucket=b, Key="k")["ETag"]
done = s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=up, MultipartUpload=parts, IfMatch=etag)
check("VersionId" not in done, "an unversioned bucket's complete returned a version id: %r" % done.get("VersionId"))

step("a repeated complete_multipart_upload answers the first result")
again = s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=up, MultipartUpload=parts)
check(again["ETag"] == done["ETag"] and again["Location"] == done["Location"] and again["Key"] == "k",
      "the repeated complete answered %r, the first %r" % (again, done))
expect_error(404, "NoSuchUpload", s3.complete_multipart_upload, Bucket=b, Key="k", UploadId=up,
             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1}]})

step("delete_object IfMatch and delete_objects with ETag")
etag = s3.head_object(Bucket=b, Key="k")["ETag"]
expect_error(412, "PreconditionFailed", s3.delete_object, Bucket=b, Key="k",
             IfMatch='"0123456789abcdef0123456789abcdef"')
s3.put_object(Bucket=b, Key="other", Body=b"o")
resp = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "ETag": etag}, {"Key": "other", "ETag": etag}]})
check([d["Key"] for d in resp.get("Deleted", [])] == ["k"], "deleted: %r" % resp.get("Deleted"))
check([(e["Key"], e["Code"]) for e in resp.get("Errors", [])] == [("other", "PreconditionFailed")],
      "errors: %r" % resp.get("Errors"))
s3.delete_object(Bucket=b, Key="other", IfMatch=s3.head_object(Bucket=b, Key="other")["ETag"])

step("version ids and delete markers: none in an unversioned bucket, the marker's in a versioned one")
put = s3.put_object(Bucket=b, Key="plain", Body=b"p")
check("VersionId" not in put, "unversioned put returned a version id")
deleted = s3.delete_object(Bucket=b, Key="plain")
check("DeleteMarker" not in deleted and "VersionId" not in deleted, "unversioned delete answered %r" % deleted)
v = bucket("versioned")
s3.put_bucket_versioning(Bucket=v, VersioningConfiguration={"Status": "Enabled"})
s3.put_object(Bucket=v, Key="k", Body=b"1")
marker = s3.delete_object(Bucket=v, Key="k")
check(marker.get("DeleteMarker") is True and marker.get("VersionId"), "versioned delete answered %r" % marker)
s3.put_object(Bucket=v, Key="k", Body=b"2", IfNoneMatch="*")
check(body(v, "k") == b"2", "If-None-Match over a delete marker did not create the key")

step("a checksum that does not match the body is BadDigest for put_object and upload_part; nothing is stored")
c = bucket("digest")
wrong256 = base64.b64encode(hashlib.sha256(b"not the body").digest()).decode()
wrong1 = base64.b64encode(hashlib.sha1(b"not the body").digest()).decode()
expect_error(400, "BadDigest", once.put_object, Bucket=c, Key="k", Body=b"the body", ChecksumSHA256=wrong256)
expect_error(400, "BadDigest", once.put_object, Bucket=c, Key="k", Body=b"the body", ChecksumSHA1=wrong1)
expect_error(400, "BadDigest", once.put_object, Bucket=c, Key="k", Body=b"the body", ChecksumCRC32="AAAAAA==")
expect_error(404, "404", s3.head_object, Bucket=c, Key="k")
up = s3.create_multipart_upload(Bucket=c, Key="m", ChecksumAlgorithm="SHA256")["UploadId"]
expect_error(400, "BadDigest", once.upload_part, Bucket=c, Key="m", UploadId=up, PartNumber=1, Body=b"the body",
             ChecksumSHA256=wrong256)
check(not s3.list_parts(Bucket=c, Key="m", UploadId=up).get("Parts"), "a refused part was stored")

step("complete_multipart_upload declaring the composite SHA-256 (s3-tests' form): 'bad' is BadDigest, the right one is kept")
body1 = b"A" * 1024
part = s3.upload_part(Bucket=c, Key="m", UploadId=up, PartNumber=1, Body=body1, ChecksumAlgorithm="SHA256")
check(part["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(body1).digest()).decode(), "part checksum %r" % part)
parts = {"Parts": [{"ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"], "PartNumber": 1}]}
expect_error(400, "BadDigest", once.complete_multipart_upload, Bucket=c, Key="m", UploadId=up, ChecksumSHA256="bad",
             MultipartUpload=parts)
composite = base64.b64encode(hashlib.sha256(base64.b64decode(part["ChecksumSHA256"])).digest()).decode() + "-1"
done = s3.complete_multipart_upload(Bucket=c, Key="m", UploadId=up, ChecksumSHA256=composite, MultipartUpload=parts)
check(done.get("ChecksumSHA256") == composite, "complete answered %r, expected %s" % (done.get("ChecksumSHA256"), composite))

step("upload_file with ChecksumAlgorithm SHA256 and SHA1 in 5 MiB parts; head_object ChecksumMode ENABLED")
with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(os.urandom(11 * MIB))
    path = f.name
config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
for algorithm, digest in (("SHA256", hashlib.sha256), ("SHA1", hashlib.sha1)):
    key = "file-" + algorithm
    s3.upload_file(path, c, key, ExtraArgs={"ChecksumAlgorithm": algorithm}, Config=config)
    head = s3.head_object(Bucket=c, Key=key, ChecksumMode="ENABLED")
    with open(path, "rb") as f:
        sums = b"".join(digest(f.read(5 * MIB)).digest() for _ in range(3))
    expected = base64.b64encode(digest(sums).digest()).decode() + "-3"
    check(head.get("Checksum" + algorithm) == expected, "%s head: %r, expected %s" % (algorithm, head, expected))
    check(head.get("ChecksumType") == "COMPOSITE", "%s checksum type %r" % (algorithm, head.get("ChecksumType")))
os.remove(path)

print("\nboto3 behaviours: all steps passed", flush=True)
