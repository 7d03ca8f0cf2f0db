/** The oldest Node major the CLI runs on; keep in step with `engines.node` in package.json. */
export const MIN_NODE_MAJOR = 22;

/** Why `version` (e.g. `20.20.2`) cannot run turnbench, or null when it can. */
export function nodeTooOld(version: string, min = MIN_NODE_MAJOR): string | null {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (Number.isInteger(major) && major >= min) return null;
  return `turnbench needs Node ${min} or newer; this is Node ${version} (\`source scripts/setup.sh\` puts Node 24 on PATH)`;
}
