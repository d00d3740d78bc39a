# Shared helpers for the real-client scripts; sourced, not run.
# Needs: STRATA_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
: "${STRATA_ENDPOINT:?set STRATA_ENDPOINT, e.g. http://127.0.0.1:9000}"
: "${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}"
: "${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}"

# AWS_CA_BUNDLE breaks Debian's rclone ("unsupported transport"); profiles and session tokens
# from the caller's environment must not leak into these runs. The CRT signer of Debian's awscli
# rejects an empty region.
unset AWS_CA_BUNDLE AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ENDPOINT_URL
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""

WORK="$(mktemp -d "${TMPDIR:-/tmp}/strata-client.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# A fresh, empty AWS config so nothing in ~/.aws changes what the clients do.
: > "$WORK/aws-config"
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-config"

# A bucket name unique to this run: scripts may share one gateway.
BUCKET="${STRATA_BUCKET:-$1-$(date +%s)-$$}"

step() { printf '\n==> [%ss] %s\n' "$SECONDS" "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# gen FILE SIZE SEED: deterministic pseudo-random bytes (AES-CTR keystream of the seed).
gen() {
  openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:strata-$3" < /dev/zero 2>/dev/null | head -c "$2" > "$1" || true
  [ "$(stat -c %s "$1")" -eq "$2" ] || fail "could not generate $1 ($2 bytes)"
}

# same FILE1 FILE2: byte-identical or fail.
same() { cmp "$1" "$2" >/dev/null || fail "$1 and $2 differ ($(sha256sum "$1" "$2" | tr '\n' ' '))"; }

# contains "HAYSTACK" NEEDLE
contains() { grep -qF -- "$2" <<<"$1" || fail "expected to find '$2' in: $1"; }
lacks() { ! grep -qF -- "$2" <<<"$1" || fail "did not expect '$2' in: $1"; }

# tree DIR: a small directory tree with awkward names.
tree() {
  mkdir -p "$1/sub/deeper" "$1/with space" "$1/ünïcødé"
  echo "alpha" > "$1/a.txt"
  gen "$1/sub/b.bin" 1048576 2
  echo "gamma" > "$1/sub/deeper/c.txt"
  echo "delta" > "$1/with space/d e.txt"
  echo "epsilon" > "$1/ünïcødé/ë+plus.txt"
  : > "$1/empty"
  # Old timestamps: sync compares mtime with LastModified (whole seconds), so files written in the
  # same second as their upload could look newer and be copied again.
  find "$1" -exec touch -d '2020-01-01 00:00:00' {} +
}
