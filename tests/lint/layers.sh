#!/bin/sh
# The layering rule (STYLE.md §1): tui -> spv -> wallet, never upward;
# and the banned functions (§10). Prints each offence and fails.
set -u
root=${1:-.}
cd "$root" || exit 2
bad=0
if grep -rnE '#include "(spv|tui)/' wallet/ ; then
	echo "wallet/ must not include spv/ or tui/ headers"; bad=1
fi
if grep -rnE '#include "tui/' spv/ ; then
	echo "spv/ must not include tui/ headers"; bad=1
fi
if grep -rnE '#include <(curses|ncurses|ncursesw/curses)\.h>' wallet/ spv/ ; then
	echo "curses belongs to tui/ only"; bad=1
fi
if grep -rnE '#include <(sys/socket|netdb|arpa/inet|netinet/in)\.h>' wallet/ ; then
	echo "wallet/ has no sockets"; bad=1
fi
if grep -rnE '#include <sqlite3\.h>' spv/ tui/ ; then
	echo "SQLite is wallet/store's alone (spv/ and tui/ go through wallet/ APIs)"; bad=1
fi
if grep -rnwE '(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|rand|system)[[:space:]]*\(' wallet/ spv/ tui/ ; then
	echo "banned function (STYLE.md §10)"; bad=1
fi
if [ $bad -eq 0 ]; then
	echo "1 passed, 0 failed"
else
	echo "0 passed, 1 failed"
fi
exit $bad
