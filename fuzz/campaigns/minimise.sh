#!/bin/bash
# Minimise the findings a campaign saved: for each DIR/<kind>-s<seed>-i<iter>/
# (at most MAX per kind, first found first), `fuzz-backend --minimise` drops
# steps while the verdict persists on a fresh back-end and writes
# minimal.txt / minimal.sh / minimal.jsonl next to the finding.
#   fuzz/campaigns/minimise.sh build/fuzz/campaigns/qemu-storage-daemon [MAX]
set -euo pipefail
dir=$1
max=${2:-6}
bin=${VCTS_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/rel/vhost-cts}
declare -A n=()
for d in $(ls -d "$dir"/*-s*-i* 2>/dev/null | sort -t i -k2 -V); do
	[ -f "$d/case.txt" ] || continue
	kind=$(basename "$d" | cut -d- -f1)
	[ "${n[$kind]:-0}" -lt "$max" ] || continue
	n[$kind]=$(( ${n[$kind]:-0} + 1 ))
	[ -f "$d/minimal.txt" ] && { head -n 2 "$d/minimal.txt"; continue; }
	timeout -s KILL 900 nice -n 10 "$bin" fuzz-backend --minimise "$d" 2>&1 | tail -n 3 || true
done
