# Shared by the fuzz-backend campaign scripts (sourced; bash).
# VCTS_BIN: the vhost-cts binary (default build/rel/vhost-cts, copied so a
# rebuild during the campaign does not pull it away).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC_BIN=${VCTS_BIN:-$ROOT/build/rel/vhost-cts}
[ -x "$SRC_BIN" ] || { echo "no $SRC_BIN (make build/rel/vhost-cts)" >&2; exit 2; }
# Back-ends get an address-space cap: a request that makes one allocate
# without bound ends in a refused mmap or a crash, not the OOM killer.
AS_LIMIT=${AS_LIMIT:-4294967296}

# campaign_setup TAG [SECONDS [SEED ...]] (a script's own arguments):
# secs (default 600) and seeds (default 1 2), and a scratch folder work
# (/tmp/vcts-fzc-TAG.*) removed at exit.
campaign_setup() {
	local tag=$1
	shift
	secs=${1:-600}
	shift || true
	seeds=("$@")
	[ ${#seeds[@]} -gt 0 ] || seeds=(1 2)
	work=$(mktemp -d "/tmp/vcts-fzc-$tag.XXXXXX")
	trap 'rm -rf "$work"' EXIT
}

# fuzz_target NAME DEVICE SOCKET 'SPAWN' SECONDS SEED...
# Runs fuzz-backend for SECONDS split over the seeds, under nice and
# timeout, into build/fuzz/campaigns/NAME/; prints the statistics.
fuzz_target() {
	local name=$1 dev=$2 sock=$3 spawn=$4 secs=$5
	shift 5
	local out=$ROOT/build/fuzz/campaigns/$name
	mkdir -p "$out"
	local bin=$out/vhost-cts
	cp "$SRC_BIN" "$bin"
	local per=$(( secs / $# ))
	local start=$(date +%s)
	for seed in "$@"; do
		echo "== $name: seed $seed, ${per} s"
		timeout -s KILL $(( per + 300 )) nice -n 10 "$bin" fuzz-backend --socket "$sock" --spawn "$spawn" \
			--device "$dev" --seed "$seed" --duration "$per" --timeout 2 --out "$out" -q \
			> "$out/seed-$seed.log" 2>&1 || true
		tail -n 2 "$out/seed-$seed.log"
	done
	echo "== $name: $(( $(date +%s) - start )) s wall in all"
	if [ -s "$out/findings.tsv" ]; then
		echo "findings (kind, seed, iteration, base, detail):"
		cut -f1-5 "$out/findings.tsv" | sort | uniq -c | sort -rn | head -n 40
	fi
}
