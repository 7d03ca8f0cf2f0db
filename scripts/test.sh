#!/usr/bin/env bash
# Runs the whole test suite (unit, sim over HTTP, real Docker, CLI end to end).
# Sets the machine up first (Node 24, Docker engine, Chromium, npm ci, build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export TURNBENCH_SETUP_CHROMIUM=1
source "$root/scripts/setup.sh"
cd "$root"
npx vitest run "$@"
