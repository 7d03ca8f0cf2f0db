import type Dockerode from 'dockerode';
import type { ImageProgress } from './types.js';

interface LoadEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Copies image `tag` from one engine to another, streaming `docker save` into `docker load`
 * (nothing is written to disk here and nothing is pulled). The image keeps its ID and its tag.
 */
export async function copyImage(
  from: Dockerode,
  to: Dockerode,
  tag: string,
  progress: ImageProgress,
): Promise<void> {
  const saved = await from.getImage(tag).get();
  const loading = await to.loadImage(saved, { quiet: true });
  const failures: string[] = [];
  await new Promise<void>((done, fail) => {
    saved.on('error', fail);
    to.modem.followProgress(
      loading,
      (err: Error | null) => (err ? fail(err) : done()),
      (event: LoadEvent) => {
        const line = (event.stream ?? event.status ?? '').trim();
        if (line) progress(line);
        if (event.error) failures.push(event.errorDetail?.message ?? event.error);
      },
    );
  });
  if (failures.length > 0) throw new Error(`loading ${tag} failed: ${failures.join('; ')}`);
}
