#!/usr/bin/env bash
# Put/Get/DeleteBucketReplication with the real aws CLI (s3api, the JSON form) and boto3, against a
# gateway where the destination bucket is registered as a replication target (strata replicate target add).
# AWS_CLI picks the aws binary, PYTHON the interpreter with boto3 (defaults: the first on PATH).
# Usage: STRATA_ENDPOINT=... AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... replication.sh DEST_BUCKET
set -euo pipefail
DEST="${1:?usage: replication.sh DEST_BUCKET (the bucket of a registered replication target)}"
source "$(dirname "$0")/common.sh" replication
AWS_BIN="${AWS_CLI:-aws}"
PY="${PYTHON:-python3}"
aws() { command "$AWS_BIN" --endpoint-url "$STRATA_ENDPOINT" --region us-east-1 "$@"; }

step "version: $(command "$AWS_BIN" --version 2>&1)"
aws s3api create-bucket --bucket "$BUCKET" >/dev/null
cat > "$WORK/replication.json" <<JSON
{"Role": "arn:aws:iam::123456789012:role/replication",
 "Rules": [{"ID": "logs", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "logs/"},
            "DeleteMarkerReplication": {"Status": "Enabled"},
            "Destination": {"Bucket": "arn:aws:s3:::$DEST", "StorageClass": "STANDARD_IA"}},
           {"ID": "tagged", "Priority": 2, "Status": "Disabled",
            "Filter": {"And": {"Prefix": "raw/", "Tags": [{"Key": "k", "Value": "v"}]}},
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "ExistingObjectReplication": {"Status": "Enabled"},
            "Destination": {"Bucket": "arn:aws:s3:::$DEST"}}]}
JSON

step "put-bucket-replication before versioning is Enabled: InvalidRequest"
if aws s3api put-bucket-replication --bucket "$BUCKET" --replication-configuration "file://$WORK/replication.json" \
    2>"$WORK/err"; then fail "accepted on an unversioned bucket"; fi
grep -q "InvalidRequest" "$WORK/err" || fail "expected InvalidRequest: $(cat "$WORK/err")"
grep -q "Versioning must be 'Enabled'" "$WORK/err" || fail "expected S3's message: $(cat "$WORK/err")"

step "get-bucket-replication of an unconfigured bucket: ReplicationConfigurationNotFoundError"
if aws s3api get-bucket-replication --bucket "$BUCKET" 2>"$WORK/err"; then fail "answered a configuration"; fi
grep -q "ReplicationConfigurationNotFoundError" "$WORK/err" || fail "expected 404 code: $(cat "$WORK/err")"

step "put-bucket-replication (JSON), get-bucket-replication answers it as sent"
aws s3api put-bucket-versioning --bucket "$BUCKET" --versioning-configuration Status=Enabled
aws s3api put-bucket-replication --bucket "$BUCKET" --replication-configuration "file://$WORK/replication.json"
aws s3api get-bucket-replication --bucket "$BUCKET" --output json > "$WORK/got.json"
"$PY" - "$WORK/replication.json" "$WORK/got.json" <<'PY'
import json, sys
sent = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))["ReplicationConfiguration"]
assert got == sent, "sent %s\ngot  %s" % (sent, got)
PY

step "suspending versioning is refused while the configuration exists: InvalidBucketState"
if aws s3api put-bucket-versioning --bucket "$BUCKET" --versioning-configuration Status=Suspended 2>"$WORK/err"; then
  fail "versioning was suspended under a replication configuration"
fi
grep -q "InvalidBucketState" "$WORK/err" || fail "expected InvalidBucketState: $(cat "$WORK/err")"

step "delete-bucket-replication"
aws s3api delete-bucket-replication --bucket "$BUCKET"
if aws s3api get-bucket-replication --bucket "$BUCKET" 2>/dev/null; then fail "still configured after delete"; fi

step "boto3 ($("$PY" -c 'import boto3; print(boto3.__version__)')): put, get, errors, delete"
"$PY" - "$BUCKET" "$DEST" <<'PY'
import sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
import os
bucket, dest = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=os.environ["STRATA_ENDPOINT"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
config = {"Role": "arn:aws:iam::123456789012:role/replication",
          "Rules": [{"ID": "all", "Priority": 0, "Status": "Enabled", "Filter": {},
                     "DeleteMarkerReplication": {"Status": "Disabled"},
                     "SourceSelectionCriteria": {"ReplicaModifications": {"Status": "Enabled"}},
                     "Destination": {"Bucket": "arn:aws:s3:::" + dest}}]}
s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=config)
got = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
assert got == config, "sent %s\ngot  %s" % (config, got)

def refused(code, **kwargs):
    try:
        s3.put_bucket_replication(Bucket=bucket, **kwargs)
    except ClientError as e:
        assert e.response["Error"]["Code"] == code, e.response
        return e.response["Error"]["Message"]
    raise AssertionError("accepted: %s" % kwargs)

bad = dict(config, Rules=[dict(config["Rules"][0], Destination={"Bucket": "arn:aws:s3:::no-such-target-bucket"})])
message = refused("InvalidRequest", ReplicationConfiguration=bad)
assert "strata replicate target add" in message, message
no_priority = dict(config, Rules=[{k: v for k, v in config["Rules"][0].items() if k != "Priority"}])
message = refused("InvalidRequest", ReplicationConfiguration=no_priority)
assert "Priority must be specified" in message, message
assert s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"] == config, "a refusal changed it"
s3.delete_bucket_replication(Bucket=bucket)
try:
    s3.get_bucket_replication(Bucket=bucket)
    raise AssertionError("still configured")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError", e.response
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
print("boto3 replication: ok")
PY
step "ok"
