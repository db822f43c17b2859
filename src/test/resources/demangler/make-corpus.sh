#!/bin/bash
# Regenerates the corpora: fixed samples of real symbols with GNU c++filt's rendering of each.
# Not run by the build; the committed output keeps the tests independent of nm and c++filt.
#   bash make-corpus.sh        (from this directory)
#   corpus.tsv.gz            3000 pairs: libjvm (.symtab) and libstdc++ (dynamic symbols)
#   corpus-templates.tsv.gz  1000 pairs: LLVM and Clang, for lambdas, decltype, packs and the like
set -euo pipefail
JVM=${JVM:-/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so}
STD=${STD:-/usr/lib/x86_64-linux-gnu/libstdc++.so.6}
TEMPLATES=${TEMPLATES:-"/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1 /usr/lib/x86_64-linux-gnu/libclang-cpp.so.14"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed() { yes jjf-demangler-corpus; }
symbols() { awk '{print $NF}' | grep '^_Z' | LC_ALL=C sort -u; }
# One symbol per line on stdin, which is also how c++filt treats '@VERSION' suffixes: as text after the name.
pairs() { c++filt < "$1" > "$1.out"; paste "$1" "$1.out" | gzip -9n > "$2"; }

nm "$JVM" | symbols > "$tmp/jvm"
nm -D "$STD" | symbols > "$tmp/std"
# 2400 + 600: libjvm is what jjf mostly sees; libstdc++ adds std:: templates and @VERSION suffixes.
{ shuf -n 2400 --random-source=<(seed) "$tmp/jvm"; shuf -n 600 --random-source=<(seed) "$tmp/std"; } \
    | LC_ALL=C sort > "$tmp/sample"
pairs "$tmp/sample" corpus.tsv.gz

for lib in $TEMPLATES; do nm -D "$lib"; done | symbols > "$tmp/templates"
shuf -n 1000 --random-source=<(seed) "$tmp/templates" | LC_ALL=C sort > "$tmp/tsample"
pairs "$tmp/tsample" corpus-templates.tsv.gz

echo "corpus.tsv.gz: 3000 of $(wc -l < "$tmp/jvm") libjvm + $(wc -l < "$tmp/std") libstdc++ symbols"
echo "corpus-templates.tsv.gz: 1000 of $(wc -l < "$tmp/templates") LLVM/Clang symbols"
