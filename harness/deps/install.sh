#!/bin/sh
# Installs the Debian packages of one or more lists in this folder:
#   sh harness/deps/install.sh build        # what `make` and `check` need
#   sh harness/deps/install.sh build test   # and what `make check` needs
# Runs as root (apt-get); needs nothing but /bin/sh and apt, so it works on a
# fresh debootstrap minbase root.
set -eu
here=$(dirname "$0")
[ $# -gt 0 ] || { echo "usage: install.sh build|test..." >&2; exit 2; }
pkgs=
for list in "$@"; do
	f="$here/$list.txt"
	[ -f "$f" ] || { echo "install.sh: no package list $f" >&2; exit 2; }
	pkgs="$pkgs $(sed -e 's/#.*//' "$f" | tr -s ' \t\n' ' ')"
done
if [ "$(id -u)" -ne 0 ]; then
	echo "install.sh: apt-get needs root (run as root or with sudo)" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $pkgs >/dev/null
