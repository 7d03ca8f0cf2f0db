import type Dockerode from 'dockerode';
import { baseImageTag } from '../src/sandbox/index.js';

/** Why a Docker benchmark cannot run here (no engine answering, no base image), or null. */
export async function dockerProblem(docker: Dockerode): Promise<string | null> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref()),
    ]);
  } catch (error) {
    return `no Docker engine answers (${(error as Error).message})`;
  }
  try {
    await docker.getImage(baseImageTag()).inspect();
  } catch {
    return `base image ${baseImageTag()} is not built (run \`turnbench images build\`); not building it inside the benchmark`;
  }
  return null;
}
