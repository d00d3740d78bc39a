#!/usr/bin/env bash
# rclone against a running Strata: a generated s3 remote (provider Other, path style), mkdir,
# copy (single and multipart), ls, check, sync both ways, delete, purge.
# Usage: STRATA_ENDPOINT=http://127.0.0.1:9000 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... rclone.sh
# HTTPS: STRATA_ENDPOINT=https://... and STRATA_CA_BUNDLE=the gateway's certificate (rclone --ca-cert).
set -euo pipefail
source "$(dirname "$0")/common.sh" rclone
CA=()
[[ "$STRATA_ENDPOINT" == https://* ]] && CA=(--ca-cert "${STRATA_CA_BUNDLE:?set STRATA_CA_BUNDLE for an https endpoint}")
cat > "$WORK/rclone.conf" <<CFG
[strata]
type = s3
provider = Other
access_key_id = $AWS_ACCESS_KEY_ID
secret_access_key = $AWS_SECRET_ACCESS_KEY
endpoint = $STRATA_ENDPOINT
region = us-east-1
force_path_style = true
CFG
rc() { rclone --config "$WORK/rclone.conf" --retries 1 --low-level-retries 1 "${CA[@]}" "$@"; }
R="strata:$BUCKET"

step "version: $(rclone version | head -1)"

step "mkdir $R"
rc mkdir "$R"
contains "$(rc lsd strata:)" "$BUCKET"

step "copy a directory tree and a 12 MiB file (multipart with 5 MiB chunks)"
tree "$WORK/tree"
gen "$WORK/tree/big.bin" 12582912 6
rc copy "$WORK/tree" "$R/tree" --s3-upload-cutoff 5M --s3-chunk-size 5M

step "ls and check"
listing="$(rc ls "$R")"
echo "$listing"
for key in tree/a.txt tree/big.bin tree/sub/b.bin "tree/with space/d e.txt" "tree/ünïcødé/ë+plus.txt" tree/empty; do
  contains "$listing" "$key"
done
rc check "$WORK/tree" "$R/tree"
rc check --download "$WORK/tree" "$R/tree"

step "copy back and compare"
rc copy "$R/tree" "$WORK/tree.down"
diff -r "$WORK/tree" "$WORK/tree.down" || fail "copied-back tree differs"

step "sync after local changes"
echo "changed content" > "$WORK/tree/a.txt"
rm "$WORK/tree/sub/deeper/c.txt"
rc sync "$WORK/tree" "$R/tree"
rc check "$WORK/tree" "$R/tree"
lacks "$(rc ls "$R")" "tree/sub/deeper/c.txt"
rc cat "$R/tree/a.txt" > "$WORK/a.down"
same "$WORK/tree/a.txt" "$WORK/a.down"

step "delete and purge"
rc delete "$R/tree/sub"
lacks "$(rc ls "$R")" "tree/sub/b.bin"
rc purge "$R"
lacks "$(rc lsd strata:)" "$BUCKET"

echo
echo "rclone.sh: all steps passed ($(rclone version | head -1))"
