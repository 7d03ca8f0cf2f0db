import Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { DockerSandboxProvider } from '../../../src/sandbox/index.js';

describe('DockerSandboxProvider.checkEngine', () => {
  it('names the socket and the fix when no engine answers', async () => {
    const provider = new DockerSandboxProvider({
      docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }),
    });
    await expect(provider.checkEngine()).rejects.toThrow(
      /no Docker engine answers at \/nonexistent\/docker\.sock .*scripts\/ensure-docker\.sh/,
    );
  });
});
