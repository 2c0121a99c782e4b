#!/bin/sh
# Installs the Debian 12 packages spoofwatch needs to build and test.
# As root it installs what is missing; otherwise it prints the exact command.
set -e
PKGS="gcc g++ make meson ninja-build pkg-config zlib1g-dev libyaml-dev libicu-dev libpsl-dev publicsuffix libsimdjson-dev libxml2-dev libarchive-dev libssl-dev libsodium-dev libc-ares-dev libsqlite3-dev"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run: sudo apt-get install -y$missing" >&2
    exit 1
fi
