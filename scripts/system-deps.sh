#!/usr/bin/env bash
# Installs the Debian packages Värn needs when they are missing.
#   pdf:     Pango, used by WeasyPrint for the PDF situation picture
#   browser: Chromium (real-browser tests) and poppler-utils (PDF text checks)
#   postgres: PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup), for
#            the replica tests, which start clusters of their own; the
#            package's own "main" cluster is removed again
set -euo pipefail
what=${1:-pdf}

missing=()
case "$what" in
  pdf)
    ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
    fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
    ;;
  browser)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    ;;
  postgres)
    ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 || missing+=(postgresql)
    ;;
esac
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installerar systempaket: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$what" = "postgres" ] && command -v pg_lsclusters >/dev/null 2>&1; then
    # Only the binaries are wanted: a running "main" cluster would hold port
    # 5432 with password authentication (CI's PostgreSQL pass uses trust).
    pg_lsclusters -h | while read -r version name _; do pg_dropcluster --stop "$version" "$name"; done
  fi
else
  echo "Saknade systempaket: ${missing[*]}"
  echo "Installera dem med:  sudo apt-get install ${missing[*]}"
  [ "$what" = "browser" ] && exit 1
  [ "$what" = "postgres" ] && { echo "(Testerna mot en replik hoppas över utan dem.)"; exit 0; }
  echo "(Värn startar ändå; PDF-export av lägesbilden fungerar först när paketen finns.)"
fi
