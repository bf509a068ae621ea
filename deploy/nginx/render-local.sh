#!/usr/bin/env bash
# Writes PREFIX/nginx.conf from local.conf.tmpl: nginx listening on LISTEN
# in front of the magpie instances UPSTREAM_A and UPSTREAM_B, with the proxy
# settings of the compose stack. Then run it in the foreground:
#
#   deploy/nginx/render-local.sh /tmp/lb 127.0.0.1:8080 127.0.0.1:8001 127.0.0.1:8002
#   nginx -e stderr -p /tmp/lb -c /tmp/lb/nginx.conf      # add -t to only check
set -euo pipefail

if [ "$#" -ne 4 ]; then
	echo "usage: $0 PREFIX LISTEN UPSTREAM_A UPSTREAM_B" >&2
	exit 2
fi
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
conf_dir=$(cd "$(dirname "$0")" && pwd)
# Run as root, nginx's workers run as nobody: let them reach their temp dirs.
chmod a+rx "$prefix"
sed -e "s|{{PREFIX}}|$prefix|g" \
	-e "s|{{CONF_DIR}}|$conf_dir|g" \
	-e "s|{{LISTEN}}|$2|g" \
	-e "s|{{UPSTREAM_A}}|$3|g" \
	-e "s|{{UPSTREAM_B}}|$4|g" \
	"$conf_dir/local.conf.tmpl" >"$prefix/nginx.conf"
echo "$prefix/nginx.conf"
