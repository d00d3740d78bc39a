#!/usr/bin/env bash
# s3cmd against a running Strata: mb, put (single and multipart), get, ls, info, sync both ways,
# signurl (SigV2) + curl, del, rb. Path-style through a generated config (host_bucket without %(bucket)s).
# Usage: STRATA_ENDPOINT=http://127.0.0.1:9000 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... s3cmd.sh
# HTTPS: STRATA_ENDPOINT=https://... and STRATA_CA_BUNDLE=the gateway's certificate (checked, host name too).
set -euo pipefail
source "$(dirname "$0")/common.sh" s3cmd
HOST="${STRATA_ENDPOINT#http://}"
HOST="${HOST#https://}"
HOST="${HOST%/}"
TLS="use_https = False
check_ssl_certificate = False"
CURL=(curl)
if [[ "$STRATA_ENDPOINT" == https://* ]]; then
  TLS="use_https = True
ca_certs_file = ${STRATA_CA_BUNDLE:?set STRATA_CA_BUNDLE for an https endpoint}
check_ssl_certificate = True
check_ssl_hostname = True
signurl_use_https = True"
  CURL=(curl --cacert "$STRATA_CA_BUNDLE")
fi
cat > "$WORK/s3cfg" <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $HOST
host_bucket = $HOST
$TLS
signature_v2 = False
bucket_location = us-east-1
multipart_chunk_size_mb = 5
progress_meter = False
CFG
s3c() { s3cmd --config "$WORK/s3cfg" --no-progress "$@"; }
S3="s3://$BUCKET"

step "version: $(s3cmd --version)"

step "mb $S3"
s3c mb "$S3"
contains "$(s3c ls)" "$S3"

step "put and get a small file and a 12 MiB file (multipart)"
printf 'small file for s3cmd\n' > "$WORK/small.txt"
gen "$WORK/big.bin" 12582912 5
s3c put "$WORK/small.txt" "$S3/files/small.txt"
s3c put "$WORK/big.bin" "$S3/files/big.bin"
s3c get "$S3/files/small.txt" "$WORK/small.down"
s3c get "$S3/files/big.bin" "$WORK/big.down"
same "$WORK/small.txt" "$WORK/small.down"
same "$WORK/big.bin" "$WORK/big.down"
info="$(s3c info "$S3/files/small.txt")"
contains "$info" "$(md5sum "$WORK/small.txt" | cut -d' ' -f1)"

step "ls"
listing="$(s3c ls --recursive "$S3")"
echo "$listing"
contains "$listing" "$S3/files/small.txt"
contains "$listing" "$S3/files/big.bin"
contains "$(s3c ls "$S3/")" "DIR"

step "sync a directory tree up and down"
tree "$WORK/tree"
s3c sync "$WORK/tree/" "$S3/tree/"
s3c sync "$S3/tree/" "$WORK/tree.down/"
diff -r "$WORK/tree" "$WORK/tree.down" || fail "synced tree differs"
rm "$WORK/tree/a.txt"
s3c sync --delete-removed "$WORK/tree/" "$S3/tree/"
lacks "$(s3c ls --recursive "$S3")" "$S3/tree/a.txt"
contains "$(s3c ls --recursive "$S3")" "$S3/tree/sub/b.bin"

step "signurl (SigV2 query string) + curl"
url="$(s3c signurl "$S3/files/small.txt" +300)"
contains "$url" "AWSAccessKeyId="
"${CURL[@]}" -sSf -o "$WORK/signed.out" "$url" || fail "curl of the s3cmd signurl URL failed: $url"
same "$WORK/small.txt" "$WORK/signed.out"
status="$("${CURL[@]}" -s -o /dev/null -w '%{http_code}' "${url/small.txt/big.bin}")"
[ "$status" = 403 ] || fail "a signed URL reused for another key gave HTTP $status, expected 403"

step "del and rb"
s3c del "$S3/files/small.txt"
lacks "$(s3c ls --recursive "$S3")" "files/small.txt"
s3c del --recursive --force "$S3"
[ -z "$(s3c ls --recursive "$S3")" ] || fail "objects left after del --recursive"
s3c rb "$S3"
lacks "$(s3c ls)" "$S3"

echo
echo "s3cmd.sh: all steps passed ($(s3cmd --version))"
