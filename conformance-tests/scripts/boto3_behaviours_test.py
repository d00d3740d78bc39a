#!/usr/bin/env python3
"""boto3 (1.43, with IfNoneMatch/IfMatch parameters) against a running Strata: conditional writes and
deletes, a repeated CompleteMultipartUpload, and the version-id and delete-marker headers.

Environment: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Exits non-zero at the first failed step.
"""
import os
import sys
import time

for name in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ENDPOINT = os.environ["STRATA_ENDPOINT"]
PREFIX = "b3b-%d-%d" % (int(time.time()), os.getpid())
MIB = 1024 * 1024
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")


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

print("\nboto3 behaviours: all steps passed", flush=True)
