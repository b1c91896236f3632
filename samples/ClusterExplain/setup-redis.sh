#!/usr/bin/env bash
# Makes sure redis-server is installed (Debian's package, through apt), then prints its path. The sample starts and
# stops the server itself, on a port of its own, without persistence.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server is missing: installing Debian's redis-server package" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Installing redis-server needs root (or sudo): run 'apt-get install -y redis-server' as root." >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq redis-server >/dev/null
  # The package starts a system server on 6379 where an init system runs; the sample uses its own port and does not need it.
fi
command -v redis-server
