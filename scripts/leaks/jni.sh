#!/usr/bin/env bash
# Reproduces the JniLeak leak and writes its flamegraph to jjf-out/demo-JniLeak/flames.svg.
exec "$(dirname "$(readlink -f "$0")")/../demo.sh" JniLeak "$@"
