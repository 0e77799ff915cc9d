#!/usr/bin/env bash
# Install the Debian packages cinelake needs when they are missing: a Java 17+ runtime for the Spark
# engine (`--engine spark`, the Spark tests; the default DuckDB engine needs none), and (for the
# tests) Chromium to render the HTML report headless and binutils' strip, which keeps the Lambda
# transform bundle under 250 MB (`cinelake aws package`). Usage: system-deps.sh [java|all]
set -euo pipefail
what="${1:-all}"
need=()

java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local v
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  [ "${v%%.*}" -ge 17 ] 2>/dev/null
}

java_ok || need+=(openjdk-17-jre-headless)
if [ "$what" = "all" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v strip >/dev/null 2>&1 || need+=(binutils)
fi

if [ "${#need[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "cinelake needs these Debian packages: ${need[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing ${need[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
