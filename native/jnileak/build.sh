#!/usr/bin/env bash
# Builds libjnileak.so (the native half of examples/JniLeak.java) into OUTPUT_DIR.
# Usage: native/jnileak/build.sh [OUTPUT_DIR]   (default: target/jnileak)
# The last line of stdout is the library's path. JAVA_HOME, when unset, is found from javac.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-target/jnileak}

if [[ -z ${JAVA_HOME:-} ]]; then
    javac=$(command -v javac) || { echo "jnileak: no javac on PATH and JAVA_HOME unset; a JDK is needed for jni.h" >&2; exit 1; }
    javac=$(readlink -f "$javac")
    JAVA_HOME=$(dirname "$(dirname "$javac")")
fi
[[ -f $JAVA_HOME/include/jni.h ]] || { echo "jnileak: $JAVA_HOME/include/jni.h not found; set JAVA_HOME to a JDK" >&2; exit 1; }
command -v gcc >/dev/null || { echo "jnileak: gcc not found" >&2; exit 1; }

mkdir -p "$out"
lib=$(cd "$out" && pwd)/libjnileak.so
# -g keeps the static helpers' names in the symbol table: they are what a profile should show.
gcc -shared -fPIC -O1 -g -Wall -Wextra \
    -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" \
    -o "$lib" "$here/jnileak.c"
printf '%s\n' "$lib"
