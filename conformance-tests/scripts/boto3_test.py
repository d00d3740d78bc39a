#!/usr/bin/env python3
"""boto3 against a running Strata: put/get/list with paginators, upload_file/download_file of a
20 MiB file (multipart), delete_objects, presigned GET and PUT with urllib, generate_presigned_post with requests, copy_object, errors.

Environment: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Runs with any python3 that has boto3 (the new 2025 checksum defaults or an older Debian boto3).
Exits non-zero at the first failed step.
"""
import concurrent.futures
import hashlib
import os
import random
import sys
import tempfile
import time
import urllib.error
import urllib.request

for name in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import botocore  # noqa: E402
from boto3.s3.transfer import TransferConfig  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ENDPOINT = os.environ["STRATA_ENDPOINT"]
# HTTPS: STRATA_CA_BUNDLE names the gateway's certificate, trusted by boto3, urllib and requests alike.
CA_BUNDLE = os.environ.get("STRATA_CA_BUNDLE") or None
TLS_CONTEXT = None
if CA_BUNDLE:
    import ssl
    TLS_CONTEXT = ssl.create_default_context(cafile=CA_BUNDLE)
BUCKET = os.environ.get("STRATA_BUCKET") or "boto3-%d-%d" % (int(time.time()), os.getpid())
MIB = 1024 * 1024


def step(text):
    print("\n==> " + text, flush=True)


def check(condition, message):
    if not condition:
        print("FAIL: " + message, file=sys.stderr, flush=True)
        sys.exit(1)


def expect_error(code, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        got = e.response.get("Error", {}).get("Code")
        check(got == code, "expected error %s, got %s: %s" % (code, got, e))
        return e
    check(False, "expected error %s, the call succeeded" % code)


def data(size, seed):
    return random.Random(seed).randbytes(size)


def presigned_round_trip(s3, signer, body, expired, expired_after):
    """GET and PUT through URLs presigned by `signer`; `expired`, signed by it with one second to live, is
    AccessDenied once the monotonic clock passes `expired_after`."""
    url = signer.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "objects/one.bin"}, ExpiresIn=300)
    print(url.split("?")[0] + "?" + "&".join(p.split("=")[0] for p in url.split("?")[1].split("&")))
    with urllib.request.urlopen(url, timeout=30, context=TLS_CONTEXT) as response:
        check(response.read() == body, "presigned GET bytes differ")
    put_body = data(50_000, 3)
    # A SigV2 URL (boto3's default for us-east-1) signs Content-Type: sign the one urllib sends, or it adds
    # application/x-www-form-urlencoded, which AWS refuses with SignatureDoesNotMatch just the same.
    put_url = signer.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "objects/presigned.bin",
                                                                 "ContentType": "application/octet-stream"}, ExpiresIn=300)
    request = urllib.request.Request(put_url, data=put_body, method="PUT",
                                     headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(request, timeout=30, context=TLS_CONTEXT) as response:
        check(response.status == 200, "presigned PUT status %s" % response.status)
    check(s3.get_object(Bucket=BUCKET, Key="objects/presigned.bin")["Body"].read() == put_body, "presigned PUT bytes")
    # Signed several steps earlier, so this bounded wait is over before it starts on all but a very fast run.
    time.sleep(max(0.0, expired_after - time.monotonic()))
    try:
        urllib.request.urlopen(expired, timeout=30, context=TLS_CONTEXT)
        check(False, "an expired presigned URL worked")
    except urllib.error.HTTPError as error:
        check(error.code == 403, "expired presigned URL: HTTP %s" % error.code)
        check(b"<Code>AccessDenied</Code>" in error.read(), "expired presigned URL: not AccessDenied")


def main():
    print("python %s, boto3 %s, botocore %s" % (sys.version.split()[0], boto3.__version__, botocore.__version__))
    config = Config(region_name="us-east-1", s3={"addressing_style": "path"},
                    retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, config=config, verify=CA_BUNDLE,
                      aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])
    work = tempfile.mkdtemp(prefix="strata-boto3.")

    step("create_bucket %s, head_bucket, list_buckets" % BUCKET)
    s3.create_bucket(Bucket=BUCKET)
    s3.head_bucket(Bucket=BUCKET)
    check(BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]], "bucket not listed")
    s3.create_bucket(Bucket=BUCKET)   # an owned bucket again: 200 in us-east-1, as on AWS

    # URLs that expire one second after signing, signed now and tried in the presigned steps below:
    # the steps between outlast the 2.5 s margin (whole-second clocks on both sides), so no run idles
    # waiting for them to expire.
    v4 = boto3.client("s3", endpoint_url=ENDPOINT, config=config.merge(Config(signature_version="s3v4")), verify=CA_BUNDLE,
                      aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])
    expired_params = {"Bucket": BUCKET, "Key": "objects/one.bin"}
    expired_v4 = v4.generate_presigned_url("get_object", Params=expired_params, ExpiresIn=1)
    expired_default = s3.generate_presigned_url("get_object", Params=expired_params, ExpiresIn=1)
    expired_after = time.monotonic() + 2.5

    step("put_object / get_object / head_object with metadata")
    body = data(300_000, 1)
    put = s3.put_object(Bucket=BUCKET, Key="objects/one.bin", Body=body, ContentType="application/x-test",
                        Metadata={"color": "blue"})
    check(put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), "ETag %s is not the MD5" % put["ETag"])
    got = s3.get_object(Bucket=BUCKET, Key="objects/one.bin")
    check(got["Body"].read() == body, "bytes differ")
    check(got["ContentType"] == "application/x-test", "ContentType %s" % got["ContentType"])
    check(got["Metadata"] == {"color": "blue"}, "Metadata %s" % got["Metadata"])
    head = s3.head_object(Bucket=BUCKET, Key="objects/one.bin")
    check(head["ContentLength"] == len(body), "ContentLength %s" % head["ContentLength"])
    ranged = s3.get_object(Bucket=BUCKET, Key="objects/one.bin", Range="bytes=100-199")
    check(ranged["Body"].read() == body[100:200], "range bytes differ")
    check(ranged["ContentRange"] == "bytes 100-199/300000", "ContentRange %s" % ranged["ContentRange"])

    step("errors: get/head of a missing key, missing bucket")
    expect_error("NoSuchKey", s3.get_object, Bucket=BUCKET, Key="missing")
    e = expect_error("404", s3.head_object, Bucket=BUCKET, Key="missing")
    check(e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, "HEAD status")
    expect_error("NoSuchBucket", s3.list_objects_v2, Bucket=BUCKET + "-missing")

    step("250 keys, listed with list_objects_v2 and list_objects paginators")
    keys = sorted("many/%03d/item-%d" % (i % 17, i) for i in range(250))
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode()), keys))
    listed = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix="many/", PaginationConfig={"PageSize": 40}) for o in page.get("Contents", [])]
    check(listed == keys, "v2 paginator listed %d keys, expected %d, in order" % (len(listed), len(keys)))
    listed_v1 = [o["Key"] for page in s3.get_paginator("list_objects").paginate(
        Bucket=BUCKET, Prefix="many/", PaginationConfig={"PageSize": 33}) for o in page.get("Contents", [])]
    check(listed_v1 == keys, "v1 paginator listed %d keys" % len(listed_v1))
    prefixes = [p["Prefix"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix="many/", Delimiter="/", PaginationConfig={"PageSize": 5}) for p in page.get("CommonPrefixes", [])]
    check(prefixes == ["many/%03d/" % i for i in range(17)], "common prefixes %s" % prefixes)

    step("upload_file / download_file of a 20 MiB file (multipart)")
    src = os.path.join(work, "twenty.bin")
    with open(src, "wb") as f:
        f.write(data(20 * MIB, 2))
    transfer = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4)
    s3.upload_file(src, BUCKET, "big/twenty.bin", Config=transfer)
    head = s3.head_object(Bucket=BUCKET, Key="big/twenty.bin")
    check(head["ContentLength"] == 20 * MIB, "ContentLength %s" % head["ContentLength"])
    check(head["ETag"].rstrip('"').endswith("-3"), "multipart ETag %s should end in -3" % head["ETag"])
    dst = os.path.join(work, "twenty.down")
    s3.download_file(BUCKET, "big/twenty.bin", dst, Config=transfer)
    with open(src, "rb") as a, open(dst, "rb") as b:
        check(hashlib.sha256(a.read()).digest() == hashlib.sha256(b.read()).digest(), "downloaded file differs")

    step("copy_object")
    s3.copy_object(Bucket=BUCKET, Key="objects/copy.bin", CopySource={"Bucket": BUCKET, "Key": "objects/one.bin"})
    check(s3.get_object(Bucket=BUCKET, Key="objects/copy.bin")["Body"].read() == body, "copy differs")
    s3.copy_object(Bucket=BUCKET, Key="objects/replaced.bin", CopySource={"Bucket": BUCKET, "Key": "objects/one.bin"},
                   MetadataDirective="REPLACE", Metadata={"color": "red"}, ContentType="text/plain")
    head = s3.head_object(Bucket=BUCKET, Key="objects/replaced.bin")
    check(head["Metadata"] == {"color": "red"} and head["ContentType"] == "text/plain", "REPLACE: %s" % head)

    step("presigned GET and PUT with urllib (SigV4 query auth)")
    presigned_round_trip(s3, v4, body, expired_v4, expired_after)

    step("generate_presigned_post + requests (HTML form upload, SigV4 policy)")
    import requests  # Debian's python3-requests and pyenv's both carry it
    post = s3.generate_presigned_post(BUCKET, "forms/${filename}",
                                      Fields={"success_action_status": "201", "Content-Type": "text/csv"},
                                      Conditions=[{"success_action_status": "201"}, {"Content-Type": "text/csv"},
                                                  ["content-length-range", 1, 1_000_000]],
                                      ExpiresIn=300)
    form_body = data(200_000, 7)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("upload.csv", form_body)}, timeout=60, verify=CA_BUNDLE or True)
    check(response.status_code == 201, "presigned POST: HTTP %s %s" % (response.status_code, response.text))
    check("<Key>forms/upload.csv</Key>" in response.text, "PostResponse %s" % response.text)
    got = s3.get_object(Bucket=BUCKET, Key="forms/upload.csv")
    check(got["Body"].read() == form_body, "presigned POST bytes differ")
    check(got["ContentType"] == "text/csv", "presigned POST ContentType %s" % got["ContentType"])
    too_big = requests.post(post["url"], data=post["fields"], files={"file": ("big.csv", b"x" * 1_000_001)}, timeout=60, verify=CA_BUNDLE or True)
    check(too_big.status_code == 400 and "EntityTooLarge" in too_big.text, "oversized POST: %s" % too_big.text)
    s3.delete_object(Bucket=BUCKET, Key="forms/upload.csv")

    step("delete_objects (verbose and quiet)")
    response = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys[:100]]})
    check(len(response.get("Deleted", [])) == 100 and not response.get("Errors"), "verbose delete: %s" % response.get("Errors"))
    response = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys[100:]], "Quiet": True})
    check(not response.get("Deleted") and not response.get("Errors"), "quiet delete: %s" % response)
    check("Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="many/"), "keys left after delete_objects")

    step("presigned GET and PUT with boto3's default signer (SigV2 query auth: AWSAccessKeyId, Signature, Expires)")
    presigned_round_trip(s3, s3, body, expired_default, expired_after)

    step("delete everything and the bucket")
    expect_error("BucketNotEmpty", s3.delete_bucket, Bucket=BUCKET)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for o in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=o["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    check(BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]], "bucket still listed")

    print("\nboto3_test.py: all steps passed (boto3 %s)" % boto3.__version__)


if __name__ == "__main__":
    main()
