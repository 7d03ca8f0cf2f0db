/**
 * The shell a command scorer runs in: nothing the agent left behind may shape it.
 *
 * - No login shell and no rc files (`bash --noprofile --norc`, BASH_ENV and ENV unset): an
 *   `exit 0` in ~/.bash_profile or ~/.bashrc does nothing.
 * - A fresh, empty HOME made for this one command (so ~/.local, ~/.config, ~/.gitconfig, Python's
 *   user site and the like are the grader's, not the agent's), and Python's bytecode cache inside
 *   it, so no __pycache__ in the workspace is read.
 * - PATH is the standard system PATH (the caller runs it with ExecOptions.systemPath; an exec's
 *   own PATH also decides where the engine finds `sh`), minus every folder the sandbox user owns or may write,
 *   or whose parent folders it owns or may write. A planted `python3` in ~/bin or /tmp is never
 *   found, and nothing is run through PATH before it is clean.
 * - The rest of the environment is the image's own (Docker gives an exec the container's configured
 *   variables, which the agent cannot change), so LD_PRELOAD and friends are the image author's.
 *
 * A task image whose tools live outside the system folders names them by full path in the command.
 * What it cannot make safe: the command itself runs code from the working directory when it asks
 * to (a test importing the agent's module, python putting the current folder first on sys.path, a
 * Makefile, a conftest.py). See docs/threat-model.md.
 */
const PRELUDE = [
  // The local sandbox isolates nothing (the agent is the host user): there PATH stays as it is.
  'if [ "$TURNBENCH_SANDBOX" = local ] || [ -w / ]; then safe=$PATH; else',
  'safe=',
  'IFS=:',
  'for d in $PATH; do',
  '  case $d in /*) ;; *) continue ;; esac',
  '  [ -d "$d" ] || continue',
  '  a=$d ok=1',
  '  while :; do',
  '    if [ -e "$a" ] && { [ -w "$a" ] || [ -O "$a" ]; }; then ok=; break; fi',
  '    [ "$a" = / ] && break',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion (no command runs before PATH is safe)
  '    a=${a%/*}',
  '    [ -n "$a" ] || a=/',
  '  done',
  '  [ -n "$ok" ] || continue',
  '  if [ -n "$safe" ]; then safe="$safe:$d"; else safe=$d; fi',
  'done',
  'fi',
  'unset IFS',
  'PATH=$safe',
  'export PATH',
  'unset BASH_ENV ENV CDPATH',
  'home=$(mktemp -d /tmp/.grader-home.XXXXXXXXXX 2>/dev/null) || home=',
  'if [ -n "$home" ]; then HOME=$home; else HOME=/nonexistent; fi',
  'export HOME',
  // Bytecode from a fresh folder: a .pyc the agent's own runs left may look current for a source
  // changed within the same second at the same size (pyc checks mtime in seconds and size).
  'if [ -n "$home" ]; then PYTHONPYCACHEPREFIX=$home/.pycache; export PYTHONPYCACHEPREFIX; fi',
  'bash --noprofile --norc -c "$1"',
  'status=$?',
  '[ -z "$home" ] || rm -rf -- "$home"',
  'exit "$status"',
].join('\n');

/** argv that runs a scorer's command in the grader's shell. */
export function graderArgv(command: string): string[] {
  return ['sh', '-c', PRELUDE, 'grader', command];
}
