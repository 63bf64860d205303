#!/bin/sh
# kill -9 test of wallet/store: start a writer (store_crasher write) that
# commits in a loop, SIGKILL it by pid at random moments, and after each
# kill check that the wallet opens, passes PRAGMA integrity_check and holds
# exactly the commits reported (or one more: killed between COMMIT and the
# report). The delays come from a seed that is printed; set KOBAN_SEED to
# replay a run and KOBAN_CRASH_ROUNDS for more rounds.
set -u
crasher=${1:?usage: crash_store.sh PATH-TO-store_crasher}
rounds=${KOBAN_CRASH_ROUNDS:-10}
seed=${KOBAN_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# seed $seed, $rounds rounds"
dir=$(mktemp -d "${TMPDIR:-/tmp}/koban-crash-XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
db=$dir/crash.sqlite
out=$dir/reported
: >"$out"
pass=0
fail=0
verified=0
delays=$(awk -v s="$seed" -v n="$rounds" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", (i == 0 ? 0.002 : 0.01 + rand() * 0.4) }')
i=0
for d in $delays; do
	i=$((i + 1))
	"$crasher" write "$db" >>"$out" 2>>"$dir/stderr" &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	last=$(tail -n 1 "$out")
	last=${last:-0}
	# A commit that landed unreported in an earlier round was counted by
	# that round's check: the lower bound is the larger of the two.
	[ "$verified" -gt "$last" ] && last=$verified
	if msg=$("$crasher" check "$db" "$last" 2>&1); then
		pass=$((pass + 1))
		verified=$(printf '%s\n' "$msg" | sed -n 's/^ok: \([0-9]*\) commits.*/\1/p')
		verified=${verified:-0}
		echo "round $i: killed after ${d}s: $msg"
	else
		fail=$((fail + 1))
		echo "round $i: killed after ${d}s: FAILED: $msg"
		cat "$dir/stderr"
	fi
done
# The writer must have made progress, or the test proved nothing.
last=$(tail -n 1 "$out")
if [ "${last:-0}" -lt 1 ]; then
	echo "the writer never committed"; cat "$dir/stderr"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
