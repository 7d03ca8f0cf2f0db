#!/usr/bin/env bash
# Runs the agents demo end to end, offline: Codex CLI (the pinned @openai/codex build from the npm
# dependencies) inside Docker sandboxes, its every model request through turnbench's recording
# proxy to the built-in simulated model; then writes the report. Extra arguments go to
# `turnbench run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/setup.sh"
cd "$root"
source "$root/scripts/results-dir-args.sh"
run_id="agents-$(date -u +%Y%m%d-%H%M%S)"
node dist/src/cli/main.js run tasks/agents/suite.yaml --run-id "$run_id" "$@"
node dist/src/cli/main.js report "$run_id" "${results_dir_args[@]}"
echo "one Codex sample turn by turn: node dist/src/cli/main.js inspect $run_id ${results_dir_args[*]} --sample log-triage__trigger__e1"
