#!/bin/sh
# meson setup that can be repeated: configures DIR the first time and
# reconfigures it (keeping its options, applying new ones) after that.
#   share/meson-setup.sh DIR [meson options...]
set -eu
dir=$1
shift
if [ -f "$dir/build.ninja" ]; then
	exec meson setup --reconfigure "$dir" "$@"
else
	exec meson setup "$dir" "$@"
fi
