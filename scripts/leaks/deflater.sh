#!/usr/bin/env bash
# Reproduces the DeflaterLeak leak and writes its flamegraph to jjf-out/demo-DeflaterLeak/flames.svg.
exec "$(dirname "$(readlink -f "$0")")/../demo.sh" DeflaterLeak "$@"
