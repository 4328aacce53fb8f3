#!/bin/sh
# Fetches json-c's source, the version Debian 12 ships (libjson-c-dev
# 0.16-2, whose patches touch only install paths and docs), from Debian's
# archive into DIR, checked against the sha256 of Debian's .dsc. build.sh
# builds it with the fuzzing flags: MSan needs every byte that runs
# instrumented, and the runner image has no json-c. Used by the OSS-Fuzz
# and ClusterFuzzLite Dockerfiles and by harness/lanes/oss-fuzz.sh.
# Usage: fetch-json-c.sh DIR   (DIR must not exist yet)
set -eu
ver=0.16
sha=3ecaeedffd99a60b1262819f9e60d7d983844073abc74e495cb822b251904185
url=${JSONC_MIRROR:-http://deb.debian.org/debian}/pool/main/j/json-c/json-c_$ver.orig.tar.gz
dir=${1:?usage: fetch-json-c.sh DIR}
[ -e "$dir" ] && { echo "fetch-json-c.sh: $dir exists" >&2; exit 2; }
tmp="$dir.tmp.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
curl -sSf --retry 3 -o "$tmp/src.tar.gz" "$url"
echo "$sha  $tmp/src.tar.gz" | sha256sum -c --quiet - || {
	echo "fetch-json-c.sh: $url: sha256 differs from Debian's json-c_$ver-2.dsc" >&2
	exit 1
}
mkdir "$tmp/src"
tar -xzf "$tmp/src.tar.gz" -C "$tmp/src" --strip-components=1
mv "$tmp/src" "$dir"
echo "$ver" > "$dir/.vcts-version"
