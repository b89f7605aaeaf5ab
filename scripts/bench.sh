#!/bin/sh
# bench.sh: fieldvault's own paths through the CLI binary, side by side in
# one run with the tools the README compares them to, on the same input:
#
#   export  (20 MB transcript, 1,000 people x 3 aliases, -o file)
#           vs grep -F -w -c -f aliases  (lines naming someone counted, nothing replaced)
#           and grep -F -w -o -f aliases (every name found, nothing replaced)
#           and age -d of the same transcript to /dev/null (decryption alone:
#           the floor of any exit that reads an age-encrypted object)
#   ingest  (256 MiB, age encryption + SHA-256 + fsync)
#           vs age -r R -o F && sync F
#   open -o (decrypt, verify SHA-256, fsync, rename)
#           vs age -d -o F && sync F
#
# Each command runs REPS times (default 3); the best time counts, and its
# peak memory (max RSS) is shown. Sizes: FIELDVAULT_BENCH_EXPORT_MB (20),
# FIELDVAULT_BENCH_MB (256). Needs age, age-keygen, GNU grep and GNU time.
set -eu
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
TMB=${FIELDVAULT_BENCH_EXPORT_MB:-20}
MB=${FIELDVAULT_BENCH_MB:-256}
for t in age age-keygen /usr/bin/time grep; do
	command -v "$t" >/dev/null || { echo "bench.sh: $t is not installed" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/fieldvault" ./cmd/fieldvault
go run ./scripts/benchdata -dir "$work" -people 1000 -mb "$TMB"
machine="$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(go version | cut -d' ' -f3)"
# The study and its identity live in the scratch directory.
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" FIELDVAULT_DIR="$work/study"
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
fv="$work/fieldvault"

# best NAME CMD...: run CMD REPS times, print "NAME seconds maxRSS-KiB"
# for the fastest run (wall time in nanoseconds from date; RSS from time).
best() {
	name=$1
	shift
	b=""
	for _ in $(seq "$REPS"); do
		t0=$(date +%s%N)
		/usr/bin/time -f "%M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		t=$(( $(date +%s%N) - t0 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t bm=$(cat "$work/time"); fi
	done
	echo "$name $(awk "BEGIN{print $b / 1e9}") $bm"
}

"$fv" init "$work/study" >/dev/null
"$fv" participant import "$work/people.csv" >/dev/null
"$fv" consent record P1 --form v1 --signed 2025-01-01 --scope participate,quote >/dev/null
"$fv" consent record P2 --form v1 --signed 2025-01-01 --scope participate,quote >/dev/null
"$fv" ingest "$work/interview.txt" --kind transcript --participant P1 --participant P2 >/dev/null
tsize=$(stat -c %s "$work/interview.txt")

head -c "$((MB << 20))" /dev/urandom >"$work/blob.bin"
size=$(stat -c %s "$work/blob.bin")
age-keygen -o "$work/age.key" 2>/dev/null
recipient=$(age-keygen -y "$work/age.key")
age -r "$recipient" -o "$work/interview.age" "$work/interview.txt"

{
	best export "$fv" export D1 -o "$work/out.md" --force
	best grep sh -c "grep -F -w -c -f '$work/aliases.txt' '$work/interview.txt'"
	best grep-o sh -c "grep -F -w -o -f '$work/aliases.txt' '$work/interview.txt' | wc -l"
	best age-d-tx age -d -i "$work/age.key" -o /dev/null "$work/interview.age"
	best ingest sh -c "'$fv' ingest '$work/blob.bin' --kind document --allow-duplicate >/dev/null"
	best age sh -c "rm -f '$work/blob.age' && age -r $recipient -o '$work/blob.age' '$work/blob.bin' && sync '$work/blob.age'"
	best open "$fv" open D2 -o "$work/open.bin" --force
	best age-d sh -c "rm -f '$work/dec.bin' && age -d -i '$work/age.key' -o '$work/dec.bin' '$work/blob.age' && sync '$work/dec.bin'"
} >"$work/results"

echo "machine: $machine"
awk -v ts="$tsize" -v bs="$size" '
	{ t[$1] = $2; m[$1] = $3 }
	END {
		printf "%-8s %9s %9s %10s\n", "what", "seconds", "MB/s", "max RSS"
		split("export grep grep-o age-d-tx ingest age open age-d", order, " ")
		for (i = 1; i <= 8; i++) {
			k = order[i]; n = (k ~ /^(export|grep|age-d-tx)/) ? ts : bs
			printf "%-8s %9.3f %9.1f %7.1f MiB\n", k, t[k], n / t[k] / 1e6, m[k] / 1024
		}
		printf "export / grep -F -w -c:   %.2fx\n", t["grep"] / t["export"]
		printf "export / grep -F -w -o:   %.2fx\n", t["grep-o"] / t["export"]
		printf "age -d alone / grep -F -w -c: %.2fx (decrypting the transcript, nothing else)\n", t["grep"] / t["age-d-tx"]
		printf "ingest / (age + sync):    %.2fx\n", t["age"] / t["ingest"]
		printf "open -o / (age -d + sync): %.2fx\n", t["age-d"] / t["open"]
	}' "$work/results"
