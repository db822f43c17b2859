#!/usr/bin/env bash
# Installs what jjf and its tests need on Debian/Ubuntu, skipping what is already there.
#   scripts/setup.sh          JDK, Maven, gcc, jemalloc (library + jeprof)
#   scripts/setup.sh --test   also Chromium and ChromeDriver for the browser tests, Go for `go tool pprof`
set -euo pipefail
want=(openjdk-17-jdk-headless maven gcc g++ binutils libjemalloc2 libjemalloc-dev libunwind-dev make bzip2 procps)
if [ "${1:-}" = "--test" ]; then want+=(chromium chromium-driver golang-go); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "setup: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
