#!/usr/bin/env bash
# Reproduces the DirectBufferLeak leak and writes its flamegraph to jjf-out/demo-DirectBufferLeak/flames.svg.
exec "$(dirname "$(readlink -f "$0")")/../demo.sh" DirectBufferLeak "$@"
