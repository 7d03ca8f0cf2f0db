#!/usr/bin/env bash
# Runs the demo suite end to end, offline: sets the machine up if needed, builds the sandbox base
# image on first use, runs every task x variant in Docker against the built-in simulated model,
# then writes the report. Extra arguments go to `turnbench run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/setup.sh"
cd "$root"
source "$root/scripts/results-dir-args.sh"
run_id="demo-$(date -u +%Y%m%d-%H%M%S)"
node dist/src/cli/main.js run tasks/demo/suite.yaml --run-id "$run_id" "$@"
node dist/src/cli/main.js report "$run_id" "${results_dir_args[@]}"
