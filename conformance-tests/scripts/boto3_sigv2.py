#!/usr/bin/env python3
"""Signature Version 2 as boto3 sends it (signature_version "s3"): CreateBucket with and without a
location body and with an empty or missing User-Agent, a listing, an object round trip, and a
request dated outside the allowed skew (RequestTimeTooSkewed).

Environment: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Exits non-zero at the first failed step.
"""
import base64
import email.utils
import hashlib
import hmac
import http.client
import os
import sys
import time
import urllib.parse

for name in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

ENDPOINT = os.environ["STRATA_ENDPOINT"]
PREFIX = "sigv2-%d-%d-" % (int(time.time()), os.getpid())


def step(text):
    print("\n==> " + text, flush=True)


def check(condition, message):
    if not condition:
        print("FAIL: " + message, file=sys.stderr, flush=True)
        sys.exit(1)


def user_agent(value):
    """A before-send hook that sends User-Agent as value (None: no User-Agent at all)."""
    def hook(request, **kwargs):
        if "User-Agent" in request.headers:
            del request.headers["User-Agent"]
        if value is not None:
            request.headers["User-Agent"] = value
    return hook


def main():
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                      config=Config(signature_version="s3", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    buckets = []
    for name, ua, location in (("plain", "keep", False), ("location", "keep", True), ("ua-empty", "", False),
                               ("ua-none", None, True)):
        step("create_bucket signed with SigV2: %s" % name)
        hook = None if ua == "keep" else user_agent(ua)
        if hook:
            s3.meta.events.register("before-send.s3.CreateBucket", hook)
        kwargs = {"CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}} if location else {}
        s3.create_bucket(Bucket=PREFIX + name, **kwargs)
        if hook:
            s3.meta.events.unregister("before-send.s3.CreateBucket", hook)
        buckets.append(PREFIX + name)

    step("put, list and get with SigV2")
    s3.put_object(Bucket=buckets[0], Key="k", Body=b"v2 body")
    check([o["Key"] for o in s3.list_objects(Bucket=buckets[0]).get("Contents", [])] == ["k"], "listing")
    check(s3.get_object(Bucket=buckets[0], Key="k")["Body"].read() == b"v2 body", "object round trip")

    step("a SigV2 request dated 20 minutes ago is RequestTimeTooSkewed")
    date = email.utils.formatdate(time.time() - 20 * 60, usegmt=True)
    path = "/" + buckets[0] + "/k"
    signature = base64.b64encode(hmac.new(os.environ["AWS_SECRET_ACCESS_KEY"].encode(),
                                          ("GET\n\n\n%s\n%s" % (date, path)).encode(), hashlib.sha1).digest()).decode()
    url = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", path, headers={"Date": date, "Authorization": "AWS %s:%s" % (os.environ["AWS_ACCESS_KEY_ID"], signature)})
    response = conn.getresponse()
    text = response.read().decode()
    check(response.status == 403 and "<Code>RequestTimeTooSkewed</Code>" in text, "skewed: %d %s" % (response.status, text))

    step("clean up")
    s3.delete_object(Bucket=buckets[0], Key="k")
    for b in buckets:
        s3.delete_bucket(Bucket=b)
    print("\nboto3 SigV2: all steps passed", flush=True)


if __name__ == "__main__":
    main()
