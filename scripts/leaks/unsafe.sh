#!/usr/bin/env bash
# Reproduces the GenerateUnsafeLeak leak and writes its flamegraph to jjf-out/demo-GenerateUnsafeLeak/flames.svg.
exec "$(dirname "$(readlink -f "$0")")/../demo.sh" GenerateUnsafeLeak "$@"
