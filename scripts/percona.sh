#!/usr/bin/env bash
# scripts/percona.sh — installs Debian's percona-toolkit (pt-archiver) for the
# side-by-side benchmark examples/purgebench, when it is missing. It is the
# benchmark's setup only: neither the library nor .ci/run depends on it.
#
# Usage (as root): scripts/percona.sh
set -euo pipefail
if command -v pt-archiver >/dev/null 2>&1; then
	echo "pt-archiver present: $(pt-archiver --version 2>/dev/null | head -n1)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "percona.sh: run as root (apt-get install percona-toolkit)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y percona-toolkit
echo "pt-archiver installed: $(pt-archiver --version 2>/dev/null | head -n1)"
