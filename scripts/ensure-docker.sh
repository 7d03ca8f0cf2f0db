#!/usr/bin/env bash
# Makes sure a Docker engine answers and debootstrap (for the offline base image) is installed.
# Idempotent: does nothing when both are already there. Debian/Ubuntu, run as root (or with sudo).
#   - no dockerd binary      -> apt-get install docker.io
#   - engine not answering   -> systemctl start docker when systemd runs, else dockerd in the
#                               background (log: $TURNBENCH_DOCKERD_LOG, default /var/log/turnbench-dockerd.log)
#   - waits up to $TURNBENCH_DOCKER_WAIT_S seconds (default 60) for the engine, fails loudly if it never answers
set -euo pipefail

log() { printf '[ensure-docker] %s\n' "$*" >&2; }
die() { printf '[ensure-docker] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO="sudo" || SUDO="__need_root__"
fi
as_root() {
  [ "$SUDO" = "__need_root__" ] && die "need root to run: $* (run this script as root)"
  $SUDO "$@"
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "cannot install $* : apt-get not found (install it by hand)"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

docker_answers() { docker info >/dev/null 2>&1; }

find_dockerd() { command -v dockerd 2>/dev/null || { [ -x /usr/sbin/dockerd ] && echo /usr/sbin/dockerd; } || true; }

wait_for_engine() {
  local wait_s="$1" pid="${2:-}" i
  for ((i = 0; i < wait_s; i++)); do
    docker_answers && return 0
    if [ -n "$pid" ] && [ ! -d "/proc/$pid" ]; then return 1; fi
    sleep 1
  done
  return 1
}

start_dockerd_background() {
  local dockerd="$1" logfile="$2"
  shift 2
  log "starting $dockerd $* in the background (log: $logfile)"
  # setsid + nohup: the engine outlives this script and the CI step's process group.
  as_root sh -c 'setsid nohup "$0" "$@" >>"'"$logfile"'" 2>&1 </dev/null & echo $!' "$dockerd" "$@"
}

ensure_engine() {
  if docker_answers; then
    log "docker engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    return 0
  fi
  local dockerd wait_s logfile pid
  wait_s="${TURNBENCH_DOCKER_WAIT_S:-60}"
  logfile="${TURNBENCH_DOCKERD_LOG:-/var/log/turnbench-dockerd.log}"
  dockerd="$(find_dockerd)"
  if [ -z "$dockerd" ]; then
    apt_install docker.io
    dockerd="$(find_dockerd)"
    [ -n "$dockerd" ] || die "docker.io installed but no dockerd binary found"
  fi
  command -v docker >/dev/null 2>&1 || apt_install docker.io

  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    log "systemctl start docker"
    as_root systemctl start docker || log "systemctl start docker failed; starting dockerd directly"
    if wait_for_engine "$wait_s"; then log "docker engine is up"; return 0; fi
  fi

  # A pid file left by a dead engine makes dockerd refuse to start.
  if [ -f /var/run/docker.pid ] && [ ! -d "/proc/$(cat /var/run/docker.pid 2>/dev/null || echo none)" ]; then
    as_root rm -f /var/run/docker.pid
  fi
  pid="$(start_dockerd_background "$dockerd" "$logfile")"
  if wait_for_engine "$wait_s" "$pid"; then log "docker engine is up"; return 0; fi

  # A common failure in nested or minimal environments is iptables; sandboxes default to no
  # network, so an engine without iptables management is still useful.
  if [ ! -d "/proc/$pid" ] && grep -qi 'iptables' "$logfile" 2>/dev/null; then
    log "dockerd exited over iptables; retrying with --iptables=false"
    as_root rm -f /var/run/docker.pid
    pid="$(start_dockerd_background "$dockerd" "$logfile" --iptables=false --ip6tables=false)"
    if wait_for_engine "$wait_s" "$pid"; then log "docker engine is up (without iptables)"; return 0; fi
  fi
  log "last lines of $logfile:"
  tail -n 30 "$logfile" >&2 2>/dev/null || true
  die "the docker engine did not answer within ${wait_s}s"
}

ensure_debootstrap() {
  if [ -x /usr/sbin/debootstrap ] || command -v debootstrap >/dev/null 2>&1; then
    log "debootstrap present"
  else
    apt_install debootstrap
  fi
}

ensure_engine
ensure_debootstrap
