/**
 * Where things are inside an agent's sandbox. The proxy's socket folder and the agent's binaries
 * are bind-mounted (read-only for binaries); the agent's own state lives in the sandbox user's home.
 */
export const SANDBOX_PATHS = {
  /** The sample's proxy socket folder (bind-mounted from the host). */
  proxyDir: '/run/turnbench',
  proxySocket: '/run/turnbench/proxy.sock',
  /** The Codex package's native folder for this machine (bin/codex, codex-path/rg). */
  codexDir: '/opt/turnbench/codex',
  /** The Node.js running turnbench, for command agents written in JS (`node: true`). */
  nodeBin: '/opt/turnbench/node/bin',
  /** turnbench's files for the agent: the task text, the agent's process group. */
  stateDir: '/home/agent/.turnbench',
  codexHome: '/home/agent/.codex',
} as const;

/** The loopback port the in-sandbox forwarder listens on; the agent's base URL points at it. */
export const FORWARDER_PORT = 47_611;
export const SANDBOX_BASE_URL = `http://127.0.0.1:${FORWARDER_PORT}/v1`;

/**
 * Runs an agent command inside the sandbox (bash). The sandbox has no network, only its own
 * loopback: socat listens there and carries each connection to the proxy's unix socket. The
 * script records its process group (so turnbench can end the agent and everything it started),
 * waits until the forwarder listens, runs the agent with its standard input from a file (or
 * nothing), and exits with the agent's exit code.
 *
 * Arguments: $1 forwarder port, $2 proxy socket, $3 state folder, $4 stdin file or "", then argv.
 */
export const LAUNCHER = `set -u
port="$1"; sock="$2"; state="$3"; input="$4"; shift 4
mkdir -p "$state"
ps -o pgid= -p $$ | tr -d ' ' > "$state/agent.pgid"
if ! command -v socat >/dev/null 2>&1; then
  echo "turnbench: socat is not in this sandbox image; agent runs need it to reach the proxy (the base image has it)" >&2
  exit 127
fi
socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$sock" &
forwarder=$!
hex=$(printf '%04X' "$port")
for _ in $(seq 1 500); do
  grep -q "0100007F:$hex 00000000:0000 0A" /proc/net/tcp 2>/dev/null && break
  sleep 0.01
done
if [ -n "$input" ]; then "$@" < "$input"; else "$@" < /dev/null; fi
status=$?
kill "$forwarder" 2>/dev/null
exit "$status"
`;

/** Ends the agent's whole process group (the agent, its tools, the forwarder); run in the sandbox. */
export const KILL_AGENT = `pgid=$(cat "$1/agent.pgid" 2>/dev/null) && [ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null; exit 0`;
