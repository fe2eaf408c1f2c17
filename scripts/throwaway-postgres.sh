#!/usr/bin/env bash
# Starts a disposable PostgreSQL on 127.0.0.1:5432 with trust auth, for CI
# machines that have none. Uses Debian's postgresql package.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data=$(mktemp -d /tmp/varn-pg.XXXXXX)
chown postgres: "$data"
runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth=trust >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p 5432 -k /tmp" start
