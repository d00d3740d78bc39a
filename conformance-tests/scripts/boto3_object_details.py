#!/usr/bin/env python3
"""boto3 against a running Strata, for object behaviours beyond the core API: x-amz-expiration.

Environment: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Exits non-zero at the first failed step.
"""
import os
import re
import sys
import time

for name in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

ENDPOINT = os.environ["STRATA_ENDPOINT"]
BUCKET = "objdetails-%d-%d" % (int(time.time()), os.getpid())


def step(text):
    print("\n==> " + text, flush=True)


def check(condition, message):
    if not condition:
        print("FAIL: " + message, file=sys.stderr, flush=True)
        sys.exit(1)


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

    step("clean up")
    for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=o["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    print("\nboto3 object details: all steps passed", flush=True)


if __name__ == "__main__":
    main()
