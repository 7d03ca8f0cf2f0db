import Dockerode from 'dockerode';

/**
 * Whether Docker tests should run: always under CI (a missing engine then fails the tests loudly),
 * locally only when an engine answers.
 */
export async function dockerTestsEnabled(docker = new Dockerode()): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}
