#!/usr/bin/env python3
"""boto3 against a running Strata, for object behaviours beyond the core API: x-amz-expiration,
non-ASCII user metadata, Expect: 100-continue on failing requests,
tag order, POST uploads with ${filename} and a tagging field.

Environment: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Exits non-zero at the first failed step.
"""
import base64
import hashlib
import http.client
import os
import re
import urllib.parse
import sys
import time

for name in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import requests  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ENDPOINT = os.environ["STRATA_ENDPOINT"]
BUCKET = "objdetails-%d-%d" % (int(time.time()), os.getpid())


def step(text):
    print("\n==> " + text, flush=True)


def check(condition, message):
    if not condition:
        print("FAIL: " + message, file=sys.stderr, flush=True)
        sys.exit(1)


def raw_put(key, value):
    """A PUT whose x-amz-meta-name carries raw UTF-8 bytes (as curl and the Go SDK send it)."""
    body = b"v"
    path = "/%s/%s" % (BUCKET, key)
    creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    req = AWSRequest(method="PUT", url=ENDPOINT + path, data=body, headers={
        "x-amz-meta-name": value, "x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
    SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    url = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for k, v in req.headers.items():
        conn.putheader(k, v.encode("utf-8") if isinstance(v, str) else v)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    text = response.read()
    conn.close()
    check(response.status == 200, "raw UTF-8 metadata PUT: %d %r" % (response.status, text[:300]))


def main():
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    s3.create_bucket(Bucket=BUCKET)

    step("x-amz-expiration on put_object, head_object, get_object")
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [
        {"ID": "tmp-7d", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]})
    put = s3.put_object(Bucket=BUCKET, Key="tmp/a", Body=b"v").get("Expiration")
    check(put is not None and re.fullmatch(r'expiry-date="\w{3}, \d{2} \w{3} \d{4} 00:00:00 GMT", rule-id="tmp-7d"', put),
          "put_object Expiration: %r" % put)
    check(s3.head_object(Bucket=BUCKET, Key="tmp/a").get("Expiration") == put, "head_object Expiration")
    check(s3.get_object(Bucket=BUCKET, Key="tmp/a").get("Expiration") == put, "get_object Expiration")
    s3.delete_bucket_lifecycle(Bucket=BUCKET)

    step("non-ASCII user metadata: boto3 refuses it client-side, so it is sent RFC 2047 encoded")
    encoded = "=?UTF-8?B?" + base64.b64encode("café ü 日本".encode()).decode() + "?="
    s3.put_object(Bucket=BUCKET, Key="meta", Body=b"v", Metadata={"name": encoded})
    got = s3.head_object(Bucket=BUCKET, Key="meta")["Metadata"]["name"]
    check(got == encoded, "metadata round trip: %r" % got)

    step("non-ASCII user metadata as raw UTF-8, signed by botocore's SigV4 signer over the bytes sent")
    raw_put("meta-raw", "café ü 日本")
    got = s3.head_object(Bucket=BUCKET, Key="meta-raw")["Metadata"]["name"]
    check(got == encoded, "raw UTF-8 metadata comes back RFC 2047 encoded: %r" % got)

    step("a PUT that fails (no such bucket, bad signature) is answered at once; the next PUT is not delayed")
    body = b"x" * (8 << 20)
    wrong = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                         aws_secret_access_key="wrong-secret",
                         config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    for client, bucket, code in ((s3, BUCKET + "-missing", "NoSuchBucket"), (wrong, BUCKET, "SignatureDoesNotMatch")):
        for attempt in (1, 2):   # the second goes over the same client's connection pool
            started = time.monotonic()
            try:
                client.put_object(Bucket=bucket, Key="big", Body=body)
                check(False, "the PUT to %s succeeded" % bucket)
            except ClientError as e:
                check(e.response["Error"]["Code"] == code, "expected %s: %s" % (code, e))
            took = time.monotonic() - started
            check(took < 10, "failing PUT %d to %s took %.1f s" % (attempt, bucket, took))
    started = time.monotonic()
    check("ETag" in s3.put_object(Bucket=BUCKET, Key="big", Body=body), "PUT after failed ones")
    check(time.monotonic() - started < 10, "the PUT after failed ones took %.1f s" % (time.monotonic() - started))

    step("get_object_tagging answers the tags sorted by key")
    s3.put_object(Bucket=BUCKET, Key="tagged", Body=b"v", Tagging="foo=bar&bar=&abc=1")
    keys = [t["Key"] for t in s3.get_object_tagging(Bucket=BUCKET, Key="tagged")["TagSet"]]
    check(keys == ["abc", "bar", "foo"], "tag order: %r" % keys)

    step("generate_presigned_post with ${filename} and a tagging field")
    tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag></TagSet></Tagging>"
    post = s3.generate_presigned_post(BUCKET, "uploads/${filename}", Fields={"tagging": tagging},
                                      Conditions=[{"tagging": tagging}], ExpiresIn=300)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("photo.txt", b"posted")}, timeout=30)
    check(response.status_code == 204, "POST: %d %s" % (response.status_code, response.text[:300]))
    check(s3.get_object(Bucket=BUCKET, Key="uploads/photo.txt")["Body"].read() == b"posted", "POSTed object")
    tags = s3.get_object_tagging(Bucket=BUCKET, Key="uploads/photo.txt")["TagSet"]
    check(tags == [{"Key": "team", "Value": "data"}], "POSTed tags: %r" % tags)

    step("clean up")
    for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=o["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    print("\nboto3 object details: all steps passed", flush=True)


if __name__ == "__main__":
    main()
