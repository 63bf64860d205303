#!/bin/sh
# Installs the Debian packages koban needs (share/debian-packages.txt).
#   share/install-deps.sh          build dependencies
#   share/install-deps.sh --test   build and test dependencies, and the
#                                  test harness's npm packages (bcoin)
# Non-interactive and idempotent: packages already present are left alone,
# and apt-get runs only when something is missing. Needs root (or sudo).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

missing=""
while read -r pkg tag; do
	case "$pkg" in ''|'#'*) continue ;; esac
	[ "$tag" = test ] && [ $want_test -eq 0 ] && continue
	# node and npm may come from elsewhere (nodesource, nvm): accept them.
	if [ "$pkg" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
	if [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $pkg"
	fi
done < "$here/debian-packages.txt"

if [ -n "$missing" ]; then
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "installing:$missing"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

if [ $want_test -eq 1 ]; then
	harness="$here/../tests/integration/harness"
	if [ -f "$harness/package-lock.json" ] && [ ! -d "$harness/node_modules/bcoin" ]; then
		(cd "$harness" && npm ci --no-audit --no-fund --loglevel=error)
	fi
fi
