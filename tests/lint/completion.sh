#!/usr/bin/env bash
# share/koban.bash-completion parses, knows every command and global option
# `koban --help` lists, and completes what a user types.
# Usage: completion.sh KOBAN_BINARY SOURCE_ROOT
set -u
bin=$1
comp=$2/share/koban.bash-completion
passed=0
fails=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

bash -n "$comp" && ok || bad "bash -n $comp"
# shellcheck source=/dev/null
. "$comp"

help=$("$bin" --help)
commands=$(printf '%s\n' "$help" | sed -n '/^Commands:/,$p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
options=$(printf '%s\n' "$help" | sed -n '/^Options/,/^Commands:/p' | grep -o -- '--\?-[a-zA-Z][a-z-]*' | sort -u)
[ -n "$commands" ] && [ -n "$options" ] || bad "could not read commands and options from --help"

# what _koban offers for a command line whose last word is being typed
complete_line() {
	read -r -a COMP_WORDS <<<"$1"
	if [[ $1 == *" " ]]; then
		COMP_WORDS+=("")
	fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_koban
	printf '%s\n' "${COMPREPLY[@]}"
}

for c in $commands; do
	complete_line "koban $c" | grep -qx -- "$c" && ok || bad "command '$c' is not completed"
done
for o in $options; do
	complete_line "koban $o" | grep -qx -- "$o" && ok || bad "option '$o' is not completed"
done

expect() { # LINE WORD: completing LINE offers WORD
	complete_line "$1" | grep -qx -- "$2" && ok || bad "'$1' does not offer '$2': $(complete_line "$1" | tr '\n' ' ')"
}
expect_not() {
	complete_line "$1" | grep -qx -- "$2" && bad "'$1' offers '$2'" || ok
}
expect "koban se" send
expect "koban info --" --json
expect "koban -n " regtest
expect "koban -n regtest --json psbt " finalize
expect "koban psbt create --" --no-rbf
expect "koban config g" gap_limit
expect "koban --offline send --" --dry-run
expect "koban send --" --json
expect "koban create --language " ja
expect_not "koban -w " send
expect_not "koban config gap_limit " gap_limit

# wallet names come from the data directory of the network on the line
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/regtest"
: >"$tmp/regtest/savings.sqlite"
expect "koban -d $tmp -n regtest -w sa" savings
expect_not "koban -d $tmp -w sa" savings

echo "$passed passed, $fails failed"
[ "$fails" -eq 0 ]
