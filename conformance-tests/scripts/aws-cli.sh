#!/usr/bin/env bash
# The real aws CLI against a running Strata: bucket and object work, s3 cp/sync/ls, s3api calls,
# multipart, presign + curl, versioning, object tagging. AWS_CLI picks the binary (default: the first
# aws on PATH). STRATA_BIG_SIZE sets the size of the multipart file copied up and down (default 1 GiB).
# Usage: STRATA_ENDPOINT=http://127.0.0.1:9000 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... aws-cli.sh
set -euo pipefail
source "$(dirname "$0")/common.sh" awscli
AWS_BIN="${AWS_CLI:-aws}"
# A pyenv shim is a bash script that runs pyenv to find the interpreter on every call, about 0.5 s
# of CPU of each of this script's ~70 calls. Call the binary the shim would run (the same pyenv
# version for this directory and environment).
if command -v pyenv >/dev/null && [[ "$(command -v "$AWS_BIN")" == */shims/* ]]; then
  AWS_BIN="$(pyenv which "$(basename "$AWS_BIN")")"
fi
BIG_SIZE="${STRATA_BIG_SIZE:-1073741824}"
# HTTPS: STRATA_ENDPOINT=https://... and STRATA_CA_BUNDLE=the gateway's certificate (--ca-bundle, curl --cacert).
TLS=(); CURL=(curl)
if [[ "$STRATA_ENDPOINT" == https://* ]]; then
  TLS=(--ca-bundle "${STRATA_CA_BUNDLE:?set STRATA_CA_BUNDLE for an https endpoint}"); CURL=(curl --cacert "$STRATA_CA_BUNDLE")
fi
aws() { command "$AWS_BIN" --endpoint-url "$STRATA_ENDPOINT" --region us-east-1 "${TLS[@]}" "$@"; }
S3="s3://$BUCKET"

VERSION="$(command "$AWS_BIN" --version 2>&1)"
step "version: $VERSION ($AWS_BIN)"

step "mb $S3"
aws s3 mb "$S3"
contains "$(aws s3 ls)" "$BUCKET"
# Creating an owned bucket again is 200 in us-east-1, as on AWS (the "ensure the bucket" idiom).
aws s3api create-bucket --bucket "$BUCKET" >/dev/null

# Issue #3: multipart as pipelines use it, by default a 1 GiB file (128 parts of 8 MiB, the CLI's
# threshold and part size). The step timings printed by step() give the throughput reported in the
# closing note.
step "s3 cp of a $BIG_SIZE-byte file up (multipart)"
gen "$WORK/big.bin" "$BIG_SIZE" 1
aws s3 cp --no-progress "$WORK/big.bin" "$S3/big/big.bin"
step "s3 cp of the $BIG_SIZE-byte file down"
aws s3 cp --no-progress "$S3/big/big.bin" "$WORK/big.down"
same "$WORK/big.bin" "$WORK/big.down"
rm -f "$WORK/big.down"
# One HEAD answers both fields (a JMESPath list, printed tab-separated): one CLI start, not two.
fields="$(aws s3api head-object --bucket "$BUCKET" --key big/big.bin --query '[ETag,ContentLength]' --output text)"
IFS=$'\t' read -r etag length <<<"$fields"
[ "$length" = "$BIG_SIZE" ] || fail "ContentLength $length"
[[ "$etag" =~ -[0-9]+\"?$ ]] || fail "ETag of a multipart upload should end in -N: $etag"

step "s3 sync of a directory tree up and down"
tree "$WORK/tree"
aws s3 sync --no-progress "$WORK/tree" "$S3/tree"
aws s3 sync --no-progress "$S3/tree" "$WORK/tree.down"
diff -r "$WORK/tree" "$WORK/tree.down" || fail "synced tree differs"
again="$(aws s3 sync --no-progress "$WORK/tree" "$S3/tree")"
[ -z "$again" ] || fail "a second sync should copy nothing, it did: $again"
echo "changed" > "$WORK/tree/a.txt"
rm -r "$WORK/tree/sub/deeper"
aws s3 sync --no-progress --delete "$WORK/tree" "$S3/tree"
rm -rf "$WORK/tree.down" && aws s3 sync --no-progress "$S3/tree" "$WORK/tree.down"
diff -r "$WORK/tree" "$WORK/tree.down" || fail "tree differs after sync --delete"

step "s3 ls --recursive"
listing="$(aws s3 ls --recursive "$S3")"
echo "$listing"
for key in big/big.bin tree/a.txt "tree/sub/b.bin" "tree/with space/d e.txt" "tree/ünïcødé/ë+plus.txt" tree/empty; do
  contains "$listing" "$key"
done
lacks "$listing" "tree/sub/deeper/c.txt"
[ "$(wc -l <<<"$listing")" -eq 6 ] || fail "expected 6 objects, got: $listing"

step "s3api put-object / head-object / get-object with range"
printf 'hello strata, ranged reads work' > "$WORK/small.txt"
aws s3api put-object --bucket "$BUCKET" --key "api/small.txt" --body "$WORK/small.txt" \
  --content-type text/plain --metadata color=blue,shape=round --cache-control max-age=60 >/dev/null
fields="$(aws s3api head-object --bucket "$BUCKET" --key api/small.txt \
  --query '[ContentType,Metadata.color,CacheControl,ETag]' --output text)"
IFS=$'\t' read -r ctype color cache etag <<<"$fields"
[ "$ctype" = "text/plain" ] || fail "ContentType $ctype"
[ "$color" = "blue" ] || fail "metadata color $color"
[ "$cache" = "max-age=60" ] || fail "CacheControl $cache"
expected_etag="\"$(md5sum "$WORK/small.txt" | cut -d' ' -f1)\""
[ "$etag" = "$expected_etag" ] || fail "ETag $etag is not the MD5"
range_out="$(aws s3api get-object --bucket "$BUCKET" --key api/small.txt --range bytes=6-11 "$WORK/range.out")"
contains "$range_out" "bytes 6-11/31"
[ "$(cat "$WORK/range.out")" = "strata" ] || fail "range content: $(cat "$WORK/range.out")"
if aws s3api head-object --bucket "$BUCKET" --key api/missing >"$WORK/err" 2>&1; then fail "head of a missing key succeeded"; fi
contains "$(cat "$WORK/err")" "404"

step "s3api list-objects-v2 and list-objects with prefix, delimiter and paging"
count="$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix tree/ --query "length(Contents)" --output text)"
[ "$count" = 5 ] || fail "KeyCount under tree/: $count"
prefixes="$(aws s3api list-objects-v2 --bucket "$BUCKET" --delimiter / --query 'CommonPrefixes[].Prefix' --output text)"
contains "$prefixes" "api/" && contains "$prefixes" "big/" && contains "$prefixes" "tree/"
paged="$(aws s3api list-objects-v2 --bucket "$BUCKET" --page-size 2 --query 'Contents[].Key' --output text | tr '\t' '\n' | grep -c .)"
[ "$paged" -eq 7 ] || fail "paged listing found $paged keys, expected 7"
v1="$(aws s3api list-objects --bucket "$BUCKET" --prefix tree/ --page-size 2 --query 'Contents[].Key' --output text | tr '\t' '\n' | grep -c .)"
[ "$v1" -eq 5 ] || fail "v1 listing found $v1 keys, expected 5"

step "s3api copy-object"
aws s3api copy-object --bucket "$BUCKET" --key api/copy.txt --copy-source "$BUCKET/api/small.txt" >/dev/null
aws s3 cp --no-progress "$S3/api/copy.txt" "$WORK/copy.txt"
same "$WORK/small.txt" "$WORK/copy.txt"

step "s3api multipart: create, upload-part, list-parts, list-multipart-uploads, complete, abort"
gen "$WORK/part1" 5242880 3
gen "$WORK/part2" 1000 4
upload_id="$(aws s3api create-multipart-upload --bucket "$BUCKET" --key api/mpu.bin --query UploadId --output text)"
e1="$(aws s3api upload-part --bucket "$BUCKET" --key api/mpu.bin --upload-id "$upload_id" --part-number 1 --body "$WORK/part1" --query ETag --output text)"
e2="$(aws s3api upload-part --bucket "$BUCKET" --key api/mpu.bin --upload-id "$upload_id" --part-number 2 --body "$WORK/part2" --query ETag --output text)"
[ "$(aws s3api list-parts --bucket "$BUCKET" --key api/mpu.bin --upload-id "$upload_id" --query 'length(Parts)' --output text)" = 2 ] || fail "list-parts"
contains "$(aws s3api list-multipart-uploads --bucket "$BUCKET" --query 'Uploads[].UploadId' --output text)" "$upload_id"
# Build the JSON robustly with the ETags as returned (quoted or not).
"${PYTHON:-python3}" -c 'import json,sys; print(json.dumps({"Parts":[{"PartNumber":1,"ETag":sys.argv[1]},{"PartNumber":2,"ETag":sys.argv[2]}]}))' "$e1" "$e2" > "$WORK/parts.json"
done_etag="$(aws s3api complete-multipart-upload --bucket "$BUCKET" --key api/mpu.bin --upload-id "$upload_id" \
  --multipart-upload "file://$WORK/parts.json" --query ETag --output text)"
[[ "$done_etag" =~ -2\"?$ ]] || fail "multipart ETag should end in -2: $done_etag"
aws s3 cp --no-progress "$S3/api/mpu.bin" "$WORK/mpu.down"
cat "$WORK/part1" "$WORK/part2" > "$WORK/mpu.expected"
same "$WORK/mpu.expected" "$WORK/mpu.down"
abort_id="$(aws s3api create-multipart-upload --bucket "$BUCKET" --key api/aborted --query UploadId --output text)"
aws s3api upload-part --bucket "$BUCKET" --key api/aborted --upload-id "$abort_id" --part-number 1 --body "$WORK/part2" >/dev/null
aws s3api abort-multipart-upload --bucket "$BUCKET" --key api/aborted --upload-id "$abort_id"
lacks "$(aws s3api list-multipart-uploads --bucket "$BUCKET" --query 'Uploads[].UploadId' --output text)" "$abort_id"

step "s3api put-object-tagging / get-object-tagging / delete-object-tagging"
aws s3api put-object-tagging --bucket "$BUCKET" --key api/small.txt \
  --tagging 'TagSet=[{Key=project,Value=strata},{Key=stage,Value=raw data}]'
tags="$(aws s3api get-object-tagging --bucket "$BUCKET" --key api/small.txt --query 'TagSet[].[Key,Value]' --output text)"
contains "$tags" "project" && contains "$tags" "strata" && contains "$tags" "raw data"
[ "$(wc -l <<<"$tags")" -eq 2 ] || fail "expected 2 tags, got: $tags"
if aws s3api put-object-tagging --bucket "$BUCKET" --key api/small.txt \
  --tagging 'TagSet=[{Key=aws:reserved,Value=x}]' >"$WORK/err" 2>&1; then fail "an aws: tag key was accepted"; fi
contains "$(cat "$WORK/err")" "InvalidTag"
aws s3api delete-object-tagging --bucket "$BUCKET" --key api/small.txt
[ "$(aws s3api get-object-tagging --bucket "$BUCKET" --key api/small.txt --query 'length(TagSet)' --output text)" = 0 ] \
  || fail "tags left after delete-object-tagging"

step "s3api delete-objects"
aws s3api delete-objects --bucket "$BUCKET" --delete '{"Objects":[{"Key":"api/small.txt"},{"Key":"api/copy.txt"},{"Key":"api/never"}]}' > "$WORK/deleted.json"
contains "$(cat "$WORK/deleted.json")" "api/copy.txt"
lacks "$(aws s3 ls --recursive "$S3")" "api/small.txt"

step "s3 presign + curl (SigV4: signature_version = s3v4)"
printf '[default]\ns3 =\n    signature_version = s3v4\n' > "$WORK/aws-config-v4"
presign_check() {
  local url="$1" status
  echo "${url%%\?*}?$(sed 's/^[^?]*?//; s/=[^&]*//g' <<<"$url")"
  "${CURL[@]}" -sS -o "$WORK/presigned.out" -w '%{http_code}\n' "$url" > "$WORK/status" || fail "curl of the presigned URL failed"
  [ "$(cat "$WORK/status")" = 200 ] || fail "presigned GET: HTTP $(cat "$WORK/status"): $(cat "$WORK/presigned.out")"
  same "$WORK/mpu.expected" "$WORK/presigned.out"
  status="$("${CURL[@]}" -s -o /dev/null -w '%{http_code}' "${url/mpu.bin/mpu.other}")"
  [ "$status" = 403 ] || fail "a presigned URL reused for another key gave HTTP $status, expected 403"
}
url="$(AWS_CONFIG_FILE="$WORK/aws-config-v4" aws s3 presign "$S3/api/mpu.bin" --expires-in 300)"
contains "$url" "X-Amz-Signature="
presign_check "$url"

step "s3 presign + curl (the CLI's default signer; aws-cli 1.x signs presigned URLs with SigV2 query auth)"
presign_check "$(aws s3 presign "$S3/api/mpu.bin" --expires-in 300)"

step "s3api put-bucket-versioning, get-object --version-id, list-object-versions, delete markers"
VB="$BUCKET-v"
aws s3api create-bucket --bucket "$VB" >/dev/null
aws s3api put-bucket-versioning --bucket "$VB" --versioning-configuration Status=Enabled
[ "$(aws s3api get-bucket-versioning --bucket "$VB" --query Status --output text)" = Enabled ] || fail "versioning status"
v1="$(aws s3api put-object --bucket "$VB" --key doc.txt --body "$WORK/small.txt" --query VersionId --output text)"
v2="$(aws s3api put-object --bucket "$VB" --key doc.txt --body "$WORK/part2" --query VersionId --output text)"
[ -n "$v1" ] && [ "$v1" != None ] && [ "$v1" != "$v2" ] || fail "version ids: '$v1' '$v2'"
aws s3api get-object --bucket "$VB" --key doc.txt --version-id "$v1" "$WORK/v1.out" >/dev/null
same "$WORK/small.txt" "$WORK/v1.out"
aws s3 rm "s3://$VB/doc.txt" >/dev/null
[ -z "$(aws s3 ls "s3://$VB")" ] || fail "a deleted key is still listed"
# One listing answers the marker, whether it is latest, and the versions (joined by spaces).
listing="$(aws s3api list-object-versions --bucket "$VB" \
  --query "[DeleteMarkers[0].VersionId, DeleteMarkers[0].IsLatest, join(' ', Versions[].VersionId)]" --output text)"
IFS=$'\t' read -r marker latest versions <<<"$listing"
contains "$versions" "$v1" && contains "$versions" "$v2"
[ "$latest" = True ] || fail "marker is not latest: $latest"
paged="$(aws s3api list-object-versions --bucket "$VB" --page-size 1 --query 'Versions[].VersionId' --output text | tr '\t' '\n' | grep -c '^[0-9a-f]\{32\}$')"
[ "$paged" -eq 2 ] || fail "paged version listing found $paged versions, expected 2"
if aws s3 rb "s3://$VB" >"$WORK/err" 2>&1; then fail "rb of a bucket holding versions succeeded"; fi
contains "$(cat "$WORK/err")" "BucketNotEmpty"
aws s3api delete-object --bucket "$VB" --key doc.txt --version-id "$marker" >/dev/null
aws s3 cp --no-progress "s3://$VB/doc.txt" "$WORK/restored.out"
same "$WORK/part2" "$WORK/restored.out"
for id in "$v1" "$v2"; do aws s3api delete-object --bucket "$VB" --key doc.txt --version-id "$id" >/dev/null; done
aws s3 rb "s3://$VB"

step "s3api put/get/delete-public-access-block, get-bucket-policy-status, bucket ownership controls"
aws s3api put-public-access-block --bucket "$BUCKET" --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=false
[ "$(aws s3api get-public-access-block --bucket "$BUCKET" --query PublicAccessBlockConfiguration.BlockPublicPolicy --output text)" = True ] \
  || fail "public access block not returned"
if aws s3api put-object --bucket "$BUCKET" --key pab.txt --body "$WORK/small.txt" --acl public-read >"$WORK/err" 2>&1; then
  fail "a public-read PUT passed BlockPublicAcls"
fi
contains "$(cat "$WORK/err")" "AccessDenied"
aws s3api delete-public-access-block --bucket "$BUCKET"
aws s3api put-bucket-policy --bucket "$BUCKET" --policy \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::$BUCKET/*\"}]}"
[ "$(aws s3api get-bucket-policy-status --bucket "$BUCKET" --query PolicyStatus.IsPublic --output text)" = True ] \
  || fail "a public policy's status"
aws s3api delete-bucket-policy --bucket "$BUCKET"
aws s3api put-bucket-ownership-controls --bucket "$BUCKET" --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
if aws s3api put-object --bucket "$BUCKET" --key owned.txt --body "$WORK/small.txt" --acl public-read >"$WORK/err" 2>&1; then
  fail "an ACL passed BucketOwnerEnforced"
fi
contains "$(cat "$WORK/err")" "AccessControlListNotSupported"
aws s3api delete-bucket-ownership-controls --bucket "$BUCKET"

step "rm --recursive and rb"
if aws s3 rb "$S3" >"$WORK/err" 2>&1; then fail "rb of a non-empty bucket succeeded"; fi
contains "$(cat "$WORK/err")" "BucketNotEmpty"
aws s3 rm --recursive "$S3"
[ -z "$(aws s3 ls --recursive "$S3")" ] || fail "objects left after rm --recursive"
aws s3 rb "$S3"
lacks "$(aws s3 ls)" "$BUCKET"

echo
echo "aws-cli.sh: all steps passed ($VERSION)"
