#!/usr/bin/env python3
"""Verify a Strata snapshot without Strata, from docs/snapshot-format.md alone.

Usage: snapshot-verify.py REPOSITORY LOCATOR
  REPOSITORY  a local directory holding the repository, or s3://BUCKET/PREFIX (needs boto3;
              set AWS_ENDPOINT_URL for a store other than AWS)
  LOCATOR     strata+...?snap=ID#sha256=HEX (only the snapshot id and the hash are used, so a
              copied repository verifies too)

Walks marker -> root -> range files -> data objects and checks the root's SHA-256, each range
file's name and SHA-256, line order, and each data object's size, ETag (recomputed with the part
sizes) and the CRC32, SHA1 and SHA256 checksums (CRC32C and CRC64NVME are not in Python's standard
library: they are counted as unchecked). Prints one line per problem; exits 1 if there is any.
"""
import base64
import gzip
import hashlib
import json
import os
import re
import sys
import zlib


def reader(repository):
    if repository.startswith("s3://"):
        import boto3
        bucket, _, prefix = repository[5:].partition("/")
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
        return lambda path: s3.get_object(Bucket=bucket, Key=prefix + path)["Body"].read()

    def read_file(path):
        with open(os.path.join(repository, *path.split("/")), "rb") as f:
            return f.read()
    return read_file


class Crc32:
    def __init__(self):
        self.value = 0

    def update(self, b):
        self.value = zlib.crc32(b, self.value)

    def digest(self):
        return self.value.to_bytes(4, "big")


HASHES = {"CRC32": Crc32, "SHA1": hashlib.sha1, "SHA256": hashlib.sha256}


def check_data(body, e):
    parts = e.get("parts") or [len(body)]
    if len(body) != e["size"]:
        return "size %d, expected %d" % (len(body), e["size"])
    pieces, at = [], 0
    for p in parts:
        pieces.append(body[at:at + p])
        at += p
    if "parts" in e:
        etag = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in pieces)).hexdigest() + "-%d" % len(pieces)
    else:
        etag = hashlib.md5(body).hexdigest()
    if etag != e["etag"]:
        return "ETag %s, expected %s" % (etag, e["etag"])
    for alg, value in e["ck"].items():
        if alg not in HASHES:
            return "unchecked"
        if re.fullmatch(r".*-\d+", value):   # COMPOSITE: checksum of the parts' binary checksums
            outer = HASHES[alg]()
            for p in pieces:
                h = HASHES[alg]()
                h.update(p)
                outer.update(h.digest())
            got = base64.b64encode(outer.digest()).decode() + "-%d" % len(pieces)
        else:
            h = HASHES[alg]()
            h.update(body)
            got = base64.b64encode(h.digest()).decode()
        if got != value:
            return "%s %s, expected %s" % (alg, got, value)
    return None


def null_data_id(e):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z", e["mtime"])
    import calendar
    import time
    seconds = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    nanos = int((m.group(2) or "0").ljust(9, "0"))
    text = "\n".join([str(seconds * 1_000_000_000 + nanos), str(e["size"]), e["etag"],
                      ",".join(str(p) for p in e.get("parts", [])),
                      ",".join("%s=%s" % (k, v) for k, v in sorted(e["ck"].items()))])
    return "null-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def main(repository, locator):
    m = re.fullmatch(r".*\?snap=([0-9A-Za-z_-]+)#sha256=([0-9a-f]{64})", locator)
    if not m:
        sys.exit("not a locator: " + locator)
    snap, root_sha = m.groups()
    read = reader(repository)
    marker = json.loads(read("strata-snap.json"))
    if marker.get("format") != "strata-snapshot" or marker.get("major") != 1:
        sys.exit("unknown repository format: %r" % marker)
    root_bytes = read("snapshots/%s.json" % snap)
    if hashlib.sha256(root_bytes).hexdigest() != root_sha:
        sys.exit("root SHA-256 does not match the locator")
    root = json.loads(root_bytes)
    problems, counts = [], {"ranges": 0, "entries": 0, "data": 0, "unchecked": 0, "cold": 0}
    for b in root["buckets"]:
        for r in b["ranges"]:
            raw = read(r["path"])
            if hashlib.sha256(raw).hexdigest() != r["sha256"] or r["path"] != "ranges/%s.ndjson.gz" % r["sha256"]:
                problems.append("%s: range %s fails its SHA-256" % (b["name"], r["path"]))
                continue
            counts["ranges"] += 1
            last = None
            lines = gzip.decompress(raw).decode("utf-8").splitlines()
            if len(lines) != r["entries"]:
                problems.append("%s: range %s holds %d entries, root says %d" % (b["name"], r["path"], len(lines), r["entries"]))
            for line in lines:
                e = json.loads(line)
                counts["entries"] += 1
                key = e["k"].encode("utf-8")
                if last is not None and key < last:
                    problems.append("%s: range %s out of order at %s" % (b["name"], r["path"], e["k"]))
                last = key
                if e["dm"]:
                    continue
                if "path" not in e["data"]:
                    counts["cold"] += 1
                    continue
                if e["v"] == "null" and e["data"]["id"] != null_data_id(e):
                    problems.append("%s/%s: data id %s is not the one its fields give" % (b["name"], e["k"], e["data"]["id"]))
                bad = check_data(read(e["data"]["path"]), e)
                if bad == "unchecked":
                    counts["unchecked"] += 1
                elif bad:
                    problems.append("%s/%s %s: %s" % (b["name"], e["k"], e["v"], bad))
                else:
                    counts["data"] += 1
    for p in problems:
        print("PROBLEM " + p)
    print("snapshot %s: %d ranges, %d entries, %d data objects verified, %d with unchecked algorithms, "
          "%d in a cold tier, %d problems" % (snap, counts["ranges"], counts["entries"], counts["data"],
                                              counts["unchecked"], counts["cold"], len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
