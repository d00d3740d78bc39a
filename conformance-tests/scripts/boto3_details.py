#!/usr/bin/env python3
"""boto3 against a running Strata, for the behaviours pipelines rely on beyond the core API:
re-creating an owned bucket in us-east-1, ListBuckets' 2024 paging, x-amz-expected-bucket-owner, PublicAccessBlock and ownership controls.

Environment: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
Needs a boto3 that knows ListBuckets' MaxBuckets (1.35 or newer). Exits non-zero at the first failed step.
"""
import os
import sys
import time

for name in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ENDPOINT = os.environ["STRATA_ENDPOINT"]
OWNER = os.environ["AWS_ACCESS_KEY_ID"]
PREFIX = "details-%d-%d-" % (int(time.time()), os.getpid())


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


def main():
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))

    step("create_bucket twice in us-east-1: the second answers 200 (ensure-bucket idiom)")
    bucket = PREFIX + "a"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    for suffix in ("b", "c", "d"):
        s3.create_bucket(Bucket=PREFIX + suffix)

    step("list_buckets pages by MaxBuckets and ContinuationToken, filtered by Prefix")
    names = []
    kwargs = {"Prefix": PREFIX, "MaxBuckets": 3}
    pages = 0
    while True:
        page = s3.list_buckets(**kwargs)
        check(page.get("Prefix") == PREFIX, "Prefix echoed: %r" % page.get("Prefix"))
        names += [b["Name"] for b in page["Buckets"]]
        pages += 1
        token = page.get("ContinuationToken")
        if not token or pages > 5:
            break
        kwargs["ContinuationToken"] = token
    check(names == [PREFIX + s for s in "abcd"], "paged names: %r" % names)
    check(pages == 2, "two pages, got %d" % pages)
    paginated = [b["Name"] for p in s3.get_paginator("list_buckets").paginate(Prefix=PREFIX, MaxBuckets=1)
                 for b in p["Buckets"]]
    check(paginated == names, "paginator: %r" % paginated)
    expect_error("InvalidArgument", s3.list_buckets, MaxBuckets=10001)

    step("ExpectedBucketOwner: the owner's id passes, another account is AccessDenied")
    s3.put_object(Bucket=bucket, Key="k", Body=b"v", ExpectedBucketOwner=OWNER)
    expect_error("AccessDenied", s3.put_object, Bucket=bucket, Key="k2", Body=b"v", ExpectedBucketOwner="111122223333")
    expect_error("AccessDenied", s3.get_object, Bucket=bucket, Key="k", ExpectedBucketOwner="111122223333")
    check(s3.list_objects_v2(Bucket=bucket, ContinuationToken="")["KeyCount"] == 1, "empty continuation token")

    step("PublicAccessBlock, policy status and ownership controls")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False})
    got = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    check(got == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                  "RestrictPublicBuckets": False}, "public access block: %r" % got)
    expect_error("AccessDenied", s3.put_object, Bucket=bucket, Key="pub", Body=b"v", ACL="public-read")
    public = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",'
              '"Resource":"arn:aws:s3:::%s/*"}]}' % bucket)
    expect_error("AccessDenied", s3.put_bucket_policy, Bucket=bucket, Policy=public)
    s3.delete_public_access_block(Bucket=bucket)
    expect_error("NoSuchPublicAccessBlockConfiguration", s3.get_public_access_block, Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    check(s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True, "policy status public")
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    check(rules == [{"ObjectOwnership": "BucketOwnerEnforced"}], "ownership controls: %r" % rules)
    expect_error("AccessControlListNotSupported", s3.put_object_acl, Bucket=bucket, Key="k", ACL="public-read")
    s3.put_object(Bucket=bucket, Key="k", Body=b"v", ACL="bucket-owner-full-control")
    s3.delete_bucket_ownership_controls(Bucket=bucket)

    step("clean up")
    s3.delete_object(Bucket=bucket, Key="k")
    for suffix in "abcd":
        s3.delete_bucket(Bucket=PREFIX + suffix)
    print("\nboto3 details: all steps passed", flush=True)


if __name__ == "__main__":
    main()
