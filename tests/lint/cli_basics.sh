#!/bin/sh
# koban --version and --help work and exit 0; an unknown option is the
# user's error (exit 1).
set -u
bin=$1
fails=0
out=$("$bin" --version) || { echo "--version failed"; fails=$((fails+1)); }
case "$out" in "koban "[0-9]*) ;; *) echo "--version printed: $out"; fails=$((fails+1));; esac
"$bin" --help | grep -q '^usage: koban' || { echo "--help failed"; fails=$((fails+1)); }
"$bin" --no-such-option >/dev/null 2>&1
rc=$?
[ $rc -eq 1 ] || { echo "unknown option exit $rc, want 1"; fails=$((fails+1)); }
echo "$((3 - fails)) passed, $fails failed"
[ $fails -eq 0 ]
