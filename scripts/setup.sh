#!/usr/bin/env bash
# Installs what jjf and its tests need on Debian/Ubuntu, skipping what is already there.
#   scripts/setup.sh          JDK, Maven, gcc, jemalloc (library + jeprof)
#   scripts/setup.sh --test   also Chromium and ChromeDriver for the browser tests, Go for `go tool pprof`
set -euo pipefail
want=(openjdk-17-jdk-headless maven gcc g++ binutils libjemalloc2 libjemalloc-dev libunwind-dev make bzip2 procps curl ca-certificates)
if [ "${1:-}" = "--test" ]; then want+=(chromium chromium-driver golang-go); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# JDK 25 for the tests of JEP 451 (dynamic agent loading): Temurin's tarball where the image has none.
# Non-fatal: without it those tests are skipped.
jdk25=/usr/lib/jvm/temurin-25-jdk-amd64
if [ "${1:-}" = "--test" ] && [ ! -x "$jdk25/bin/java" ] && [ "$(uname -m)" = x86_64 ] && [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing Temurin 25 into $jdk25" >&2
  tmp="$(mktemp -d)"
  if curl -fsSL --connect-timeout 20 --max-time 900 -o "$tmp/jdk.tar.gz" "https://api.adoptium.net/v3/binary/latest/25/ga/linux/x64/jdk/hotspot/normal/eclipse" \
      && mkdir -p "$jdk25" && tar -xzf "$tmp/jdk.tar.gz" -C "$jdk25" --strip-components=1; then
    :
  else
    echo "setup: could not install Temurin 25; the JDK 25 tests will be skipped" >&2
    rm -rf "$jdk25"
  fi
  rm -rf "$tmp"
fi
