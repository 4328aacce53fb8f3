#!/bin/bash
# Front-end campaign: QEMU 7.2 virtio-net-pci (vhost-user netdev, TCG, the
# busybox guest of traces/record/mkguest.sh) against `vhost-cts serve --fuzz
# SEED`: mutated replies and unprompted back-end-channel requests from a
# seeded PRNG; one seed replays one run.
#   fuzz/campaigns/qemu-net-serve-fuzz.sh [SECONDS [FIRST_SEED]]   (default 600 s, seed 1)
#   SEEDS="7 12" fuzz/campaigns/qemu-net-serve-fuzz.sh             (exactly these seeds: reproducers)
# Per seed: QEMU crash = exit by a signal or an abort/assertion message;
# hang = QEMU killed by its timeout with the guest unfinished, or serve's
# stall detection (--timeout) reporting a front-end that stopped answering
# (VU-LIVE-*, VU-REPLY-*, VU-ONCE-05). Results: build/fuzz/campaigns/qemu-net/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-600}
seed=${2:-1}
RATE=${RATE:-}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}
out=$ROOT/build/fuzz/campaigns/qemu-net
mkdir -p "$out"
bin=$out/vhost-cts
cp "$SRC_BIN" "$bin"
guest=${CTS_GUEST_DIR:-$ROOT/traces/record/.work/guest}
if [ ! -f "$guest/initramfs.cpio.gz" ]; then
	timeout 600 bash "$ROOT/traces/record/mkguest.sh" "$guest" > "$out/mkguest.log" 2>&1
fi
tsv=$out/results.tsv
[ -f "$tsv" ] || printf 'seed\trate\tverdict\tqemu_rc\tguest_done\tserve_rc\tseconds\tfindings\tqemu_last_line\n' > "$tsv"

one_seed() {
	local s=$1 rate=$2 d=$out/seed-$1
	rm -rf "$d"
	mkdir -p "$d"
	local sock=$d/vu.sock t0=$(date +%s)
	timeout -s TERM $(( QEMU_TIMEOUT + 60 )) nice -n 10 "$bin" serve --socket "$sock" --once --profile net \
		--queues 1 --fuzz "$s" --fuzz-rate "$rate" --timeout 5 --record "$d/serve.jsonl" --json "$d/serve.json" \
		-q > "$d/serve.out" 2> "$d/serve.err" &
	local spid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	local qrc=0
	timeout -s KILL "$QEMU_TIMEOUT" nice -n 10 qemu-system-x86_64 -accel tcg -m 256M -smp 1 -nographic -no-reboot \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-chardev "socket,id=chr0,path=$sock" -netdev vhost-user,id=net0,chardev=chr0,queues=1 \
		-device virtio-net-pci,netdev=net0,vectors=0,romfile= -kernel "$guest/vmlinuz" \
		-initrd "$guest/initramfs.cpio.gz" -append "console=ttyS0 quiet panic=-1 cts.mode=net" \
		> "$d/qemu.log" 2>&1 < /dev/null || qrc=$?
	local src=0
	wait "$spid" || src=$?
	local done_=no verdict=ok
	grep -q "cts-guest: done" "$d/qemu.log" && done_=yes
	if [ "$qrc" -gt 128 ] && [ "$qrc" -ne 137 ]; then
		verdict="crash(signal $((qrc - 128)))"
	elif grep -qiE "assert|aborted|core dumped|segmentation fault|stack smashing|double free|corrupted" "$d/qemu.log"; then
		verdict="crash(abort message)"
	elif [ "$qrc" -eq 137 ]; then
		verdict="hang(killed after ${QEMU_TIMEOUT}s)"
	fi
	local findings="-"
	if [ -s "$d/serve.json" ]; then
		findings=$(python3 -c 'import json,sys,collections
r=json.load(open(sys.argv[1]))
c=collections.Counter(f["rule"]+("~" if f.get("waived") else "") for f in r["findings"])
print(",".join("%s*%d"%(k,v) for k,v in sorted(c.items())) or "-")' "$d/serve.json")
	fi
	if [ "$verdict" = ok ] && echo "$findings" | grep -qE '(VU-LIVE-0[12]|VU-ONCE-05|VU-REPLY-0[1-4])[^~]'; then
		verdict="hang(serve stall/LIVE finding)"
	fi
	local last
	last=$({ grep -E "qemu-system|vhost" "$d/qemu.log" || true; } | tail -n 1 | tr '\t' ' ' | cut -c1-160)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$rate" "$verdict" "$qrc" "$done_" "$src" \
		"$(( $(date +%s) - t0 ))" "$findings" "${last:--}" >> "$tsv"
	echo "seed $s rate $rate: $verdict (qemu rc $qrc, guest done $done_, serve rc $src) findings $findings"
	echo "   ${last:-}"
	printf '#!/bin/sh\n# QEMU 7.2 virtio-net against serve --fuzz %s --fuzz-rate %s: %s\nSEEDS=%s RATE=%s exec bash %s/fuzz/campaigns/qemu-net-serve-fuzz.sh\n' \
		"$s" "$rate" "$verdict" "$s" "$rate" "$ROOT" > "$d/reproduce.sh"
	[ "$verdict" = ok ] || cp -r "$d" "$out/finding-seed-$s"
}

start=$(date +%s)
n=0
if [ -n "${SEEDS:-}" ]; then
	for s in $SEEDS; do one_seed "$s" "${RATE:-50}"; n=$((n + 1)); done
else
	while [ $(( $(date +%s) - start )) -lt "$secs" ]; do
		# alternate the mutation rate: 50 and 200 per 1000 chances
		r=${RATE:-$(( seed % 2 ? 50 : 200 ))}
		one_seed "$seed" "$r"
		seed=$((seed + 1))
		n=$((n + 1))
	done
fi
echo "== qemu-net: $n seeds, $(( $(date +%s) - start )) s wall"
cut -f3 "$tsv" | tail -n +2 | sed 's/(.*//' | sort | uniq -c
