#!/usr/bin/env bash
# Installs the Debian packages Värn needs when they are missing.
#   pdf:     Pango, used by WeasyPrint for the PDF situation picture
#   browser: Chromium (real-browser tests) and poppler-utils (PDF text checks)
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
esac
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installerar systempaket: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Saknade systempaket: ${missing[*]}"
  echo "Installera dem med:  sudo apt-get install ${missing[*]}"
  [ "$what" = "browser" ] && exit 1
  echo "(Värn startar ändå; PDF-export av lägesbilden fungerar först när paketen finns.)"
fi
