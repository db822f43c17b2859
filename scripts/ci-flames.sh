#!/usr/bin/env bash
# Runs every leak example under `jjf run` and collects their flamegraphs in one folder, ready to be
# attached to a CI build as artifacts.
#   scripts/ci-flames.sh [DIR]      DIR defaults to jjf-out/ci; writes DIR/<Example>.svg
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
dest="$(mkdir -p "${1:-jjf-out/ci}" && cd "${1:-jjf-out/ci}" && pwd)"
scripts/setup.sh
scripts/build-jemalloc.sh >/dev/null
native/jnileak/build.sh "$dest/jnileak" >/dev/null
status=0
for src in examples/*.java; do
  name="$(basename "$src" .java)"
  out="$dest/$name"
  if ./jjf run --out "$out" -- java -Djnileak.lib="$dest/jnileak/libjnileak.so" "$src"; then
    cp "$out/flames.svg" "$dest/$name.svg"
  else
    echo "ci-flames: $name failed; its profiles are in $out" >&2
    status=1
  fi
done
ls -1 "$dest"/*.svg
exit "$status"
