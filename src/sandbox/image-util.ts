import type Dockerode from 'dockerode';

export function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export async function imageExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (err) {
    if (statusCode(err) === 404) return false;
    throw err;
  }
}

/** Adds `target` (`repo:tag`) as another name for image `source`. */
export async function tagImage(docker: Dockerode, source: string, target: string): Promise<void> {
  const colon = target.lastIndexOf(':');
  await docker.getImage(source).tag({ repo: target.slice(0, colon), tag: target.slice(colon + 1) });
}
