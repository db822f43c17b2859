#!/usr/bin/env bash
# Builds jemalloc with a heap profiler that unwinds through libunwind instead of libgcc.
# libgcc needs DWARF unwind info, which JIT-compiled Java code does not have, so with it every
# stack stops at the first Java frame; libunwind falls back to frame pointers there, and with
# -XX:+PreserveFramePointer the stacks go all the way up to the thread's start.
#
# Usage: scripts/build-jemalloc.sh [SOURCE_TARBALL]
#   Without a tarball the source comes from the distribution's jemalloc source package
#   (Debian/Ubuntu; adds a deb-src entry if the system has none).
#   Installs into ${XDG_CACHE_HOME:-$HOME/.cache}/jjf/jemalloc-<version>-libunwind/.
#   Progress goes to stderr; the last line of stdout is the path of libjemalloc.so.2.
#   Does nothing (but print that path) when a completed build is already there.
set -euo pipefail

readonly CONFIGURE_FLAGS=(--enable-prof --enable-prof-libunwind --disable-prof-libgcc --disable-prof-gcc)
# Written last, so a directory without it is the remains of an interrupted build.
readonly STAMP=.jjf-build-complete
readonly CACHE_ROOT="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/jjf"

say() { printf 'build-jemalloc: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

usage() {
    sed -n 's/^# \{0,1\}//; 7,12p' "$0" >&2
    exit "$1"
}

finish() {
    say "jemalloc with libunwind profiling: $1"
    printf '%s\n' "$1"
    exit 0
}

# Prints the newest completed build's library, if any (any version: the caller did not ask for one).
newest_build() {
    local dir lib found=()
    for dir in "$CACHE_ROOT"/jemalloc-*-libunwind; do
        lib=$dir/lib/libjemalloc.so.2
        [[ -f $dir/$STAMP && -f $lib ]] && found+=("$lib")
    done
    ((${#found[@]})) || return 1
    printf '%s\n' "${found[@]}" | sort -V | tail -n 1
}

completed_build() {
    local dir=$CACHE_ROOT/jemalloc-$1-libunwind
    [[ -f $dir/$STAMP && -f $dir/lib/libjemalloc.so.2 ]] && printf '%s\n' "$dir/lib/libjemalloc.so.2"
}

# jemalloc release tarballs carry a VERSION file ("5.3.0-0-g54eaed1d..."); a tarball without one is
# a git snapshot, which has no configure script either.
tarball_version() {
    local described
    described=$(tar -xOf "$1" --wildcards '*/VERSION' 2>/dev/null | head -n 1 || true)
    if [[ $described =~ ^([0-9]+\.[0-9]+\.[0-9]+)-0-g[0-9a-f]+$ ]]; then
        printf '%s\n' "${BASH_REMATCH[1]}"
    elif [[ $described =~ ^[0-9][A-Za-z0-9.+~-]*$ ]]; then
        printf '%s\n' "$described"
    else
        return 1
    fi
}

as_root() {
    if ((EUID == 0)); then
        "$@"
    elif have sudo; then
        sudo "$@"
    else
        die "need root for '$*' and sudo is not installed"
    fi
}

# Runs a step with its output in the build log; on failure shows the log's tail and keeps the log.
run() {
    local what=$1
    shift
    if ! "$@" >>"$LOG" 2>&1; then
        local kept=$CACHE_ROOT/build-jemalloc.log
        cp "$LOG" "$kept" 2>/dev/null || kept=$LOG
        tail -n 25 "$LOG" >&2
        die "$what failed (full log: $kept)"
    fi
}

APT_UPDATED=false
apt_update() {
    say "apt-get update"
    run "apt-get update (no network?)" as_root apt-get update
    APT_UPDATED=true
}

apt_install() {
    say "installing $*"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$LOG" 2>&1; then
        "$APT_UPDATED" && die "apt-get install $* failed (see $LOG)"
        apt_update
        run "apt-get install $*" as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
    fi
}

has_jemalloc_source() {
    apt-cache showsrc jemalloc 2>/dev/null | grep -q '^Package: jemalloc$'
}

deb_src_configured() {
    grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
        grep -Eiqs '^types:.*deb-src' /etc/apt/sources.list.d/*.sources
}

# A deb-src twin of every enabled binary-only stanza of a deb822 file. Only the distribution's own
# file is read: third-party repositories rarely publish sources, and a missing Sources index
# makes apt-get update fail.
deb822_source_twin() {
    awk 'BEGIN { RS = ""; ORS = "" }
    {
        n = split($0, line, "\n"); types = ""; enabled = 1
        for (i = 1; i <= n; i++) {
            low = tolower(line[i])
            if (low ~ /^types:/) types = low
            if (low ~ /^enabled:[ \t]*no/) enabled = 0
        }
        if (!enabled || types !~ /[ \t:]deb([ \t]|$)/ || types ~ /deb-src/) next
        for (i = 1; i <= n; i++) {
            if (line[i] ~ /^#/) continue
            print (tolower(line[i]) ~ /^types:/ ? "Types: deb-src" : line[i]) "\n"
        }
        print "\n"
    }' "$1"
}

add_deb_src() {
    local file target twin=$TMP/deb-src
    : >"$twin"
    if [[ -f /etc/apt/sources.list.d/debian.sources || -f /etc/apt/sources.list.d/ubuntu.sources ]]; then
        target=/etc/apt/sources.list.d/jjf-deb-src.sources
        for file in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/ubuntu.sources; do
            [[ -f $file ]] && deb822_source_twin "$file" >>"$twin"
        done
    elif [[ -f /etc/apt/sources.list ]]; then
        target=/etc/apt/sources.list.d/jjf-deb-src.list
        sed -n '/cdrom:/d; s/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >"$twin"
    fi
    [[ -s $twin ]] || die "found no Debian/Ubuntu apt entries to derive a deb-src entry from; pass a jemalloc source tarball instead"
    say "adding source entries to apt: $target"
    as_root install -m 644 "$twin" "$target"
}

download_distribution_source() {
    have apt-get || die "no apt-get here to fetch jemalloc's source; pass a jemalloc source tarball: $0 jemalloc-X.Y.Z.tar.bz2"
    if ! has_jemalloc_source; then
        if deb_src_configured; then
            apt_update
        fi
        if ! has_jemalloc_source; then
            [[ -e /etc/apt/sources.list.d/jjf-deb-src.sources || -e /etc/apt/sources.list.d/jjf-deb-src.list ]] || add_deb_src
            apt_update
        fi
        has_jemalloc_source || die "apt knows no jemalloc source package even with deb-src entries (no network?)"
    fi
    say "downloading jemalloc's source package"
    mkdir -p "$TMP/apt"
    (cd "$TMP/apt" && run "apt-get source --download-only jemalloc (no network?)" apt-get source --download-only jemalloc)
    local file
    for file in "$TMP"/apt/jemalloc_*.orig.tar.*; do
        [[ $file == *.asc ]] && continue
        [[ -f $file ]] && TARBALL=$file && return 0
    done
    die "apt-get source jemalloc gave no .orig tarball"
}

install_build_dependencies() {
    local missing=()
    have cc || have gcc || missing+=(gcc libc6-dev)
    have make || missing+=(make)
    [[ $TARBALL == *.bz2 ]] && ! have bzip2 && missing+=(bzip2)
    ((${#missing[@]})) && { have apt-get || die "missing ${missing[*]} and no apt-get to install them"; apt_install "${missing[@]}"; }
    local cc=cc
    have cc || cc=gcc
    if ! printf '#include <libunwind.h>\n' | "$cc" -E -x c - >/dev/null 2>&1; then
        have apt-get || die "libunwind.h not found: install libunwind's development package"
        apt_install libunwind-dev
    fi
}

main() {
    if (($# > 1)) || [[ ${1:-} == -* ]]; then usage 2; fi
    TARBALL=${1:-}
    local lib version
    if [[ -n $TARBALL ]]; then
        [[ -f $TARBALL ]] || die "no such source tarball: $TARBALL"
        TARBALL=$(cd "$(dirname "$TARBALL")" && pwd)/$(basename "$TARBALL")
        version=$(tarball_version "$TARBALL") || die "$TARBALL is not a jemalloc release tarball (no VERSION file)"
        lib=$(completed_build "$version") && finish "$lib"
    else
        lib=$(newest_build) && finish "$lib"
    fi

    mkdir -p "$CACHE_ROOT"
    if have flock; then
        # Two launchers starting at once must not install into the same directory together.
        exec 9>"$CACHE_ROOT/.build-jemalloc.lock"
        flock -n 9 || { say "waiting for another build to finish"; flock 9; }
        if [[ -n $TARBALL ]]; then
            lib=$(completed_build "$version") && finish "$lib"
        else
            lib=$(newest_build) && finish "$lib"
        fi
    fi

    TMP=$(mktemp -d "${TMPDIR:-/tmp}/jjf-jemalloc.XXXXXX")
    trap 'rm -rf "$TMP"' EXIT
    LOG=$TMP/build.log
    local started=$SECONDS

    if [[ -z $TARBALL ]]; then
        download_distribution_source
        version=$(tarball_version "$TARBALL") || die "$TARBALL is not a jemalloc release tarball (no VERSION file)"
        lib=$(completed_build "$version") && finish "$lib"
    fi
    install_build_dependencies

    say "building jemalloc $version from $(basename "$TARBALL") (takes a few minutes)"
    mkdir -p "$TMP/src"
    run "unpacking $TARBALL" tar -xf "$TARBALL" -C "$TMP/src"
    local src
    src=$(find "$TMP/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    [[ -n $src && -x $src/configure ]] ||
        die "$(basename "$TARBALL") has no configure script (a git snapshot?); use a release tarball"

    local dest=$CACHE_ROOT/jemalloc-$version-libunwind
    rm -rf "$dest"
    cd "$src"
    run "configure" ./configure --prefix="$dest" "${CONFIGURE_FLAGS[@]}"
    # Only the shared library: it is meant for LD_PRELOAD, and the static archives would add
    # ~90 MB (debug info) and build time for nothing.
    run "make" make -j"$(nproc 2>/dev/null || echo 2)" build_lib_shared
    run "make install" make install_lib_shared install_bin
    cd /
    lib=$dest/lib/libjemalloc.so.2

    # configure quietly drops libunwind when it cannot link it; only the built library can tell.
    local settings
    settings=$(MALLOC_CONF=stats_print:true LD_PRELOAD=$lib /bin/true 2>&1 | grep 'config\.prof' || true)
    grep -q 'config.prof_libunwind: true' <<<"$settings" ||
        die "the built library does not unwind with libunwind: ${settings//$'\n'/, }"

    printf 'version=%s\nsource=%s\nconfigure=%s\nbuilt=%s\n' "$version" "$(basename "$TARBALL")" \
        "${CONFIGURE_FLAGS[*]}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$dest/$STAMP"
    say "built in $((SECONDS - started)) s"
    finish "$lib"
}

main "$@"
