#!/usr/bin/env bash
# Prepares a fresh Debian machine for turnbench: Node >= 22, a running Docker engine, the npm
# dependencies and a build. Idempotent; safe to run again. Source it to keep the PATH change:
#   source scripts/setup.sh
# Set TURNBENCH_SETUP_CHROMIUM=1 to also install Chromium (the HTML report tests need it).
set -euo pipefail
_tb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_tb_log() { printf '[setup] %s\n' "$*" >&2; }

_tb_node_ok() {
  command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)'
}

if ! _tb_node_ok; then
  prefix="${TURNBENCH_NODE_PREFIX:-$HOME/.cache/turnbench/node24}"
  if [ ! -x "$prefix/bin/node" ]; then
    _tb_log "node $(node --version 2>/dev/null || echo missing) is older than 22; installing Node 24 into $prefix (npm package node@24)"
    npm install --global --prefix "$prefix" --no-audit --no-fund node@24 >&2
  fi
  export PATH="$prefix/bin:$PATH"
  _tb_node_ok || { _tb_log "Node 24 install failed"; exit 1; }
fi
_tb_log "node $(node --version)"

bash "$_tb_root/scripts/ensure-docker.sh"

if [ "${TURNBENCH_SETUP_CHROMIUM:-0}" = "1" ] && ! command -v chromium >/dev/null 2>&1; then
  _tb_log "installing chromium (HTML report tests)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

cd "$_tb_root"
stamp="node_modules/.turnbench-lock-hash"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  _tb_log "npm ci"
  npm ci --no-audit --no-fund >&2
  echo "$lock_hash" > "$stamp"
fi
_tb_log "build"
npm run --silent build >&2
cd - >/dev/null
