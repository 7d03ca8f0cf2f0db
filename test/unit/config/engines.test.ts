import { describe, expect, it } from 'vitest';
import { parseEngineHost, SandboxDefaultsSchema } from '../../../src/config/index.js';

function issues(input: unknown): Array<{ path: string; message: string }> {
  const r = SandboxDefaultsSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('parseEngineHost', () => {
  it('parses the three engine forms', () => {
    expect(parseEngineHost('unix:///var/run/docker.sock')).toEqual({
      protocol: 'unix',
      socketPath: '/var/run/docker.sock',
    });
    expect(parseEngineHost('ssh://ci@build-1.example')).toEqual({
      protocol: 'ssh',
      host: 'build-1.example',
      port: 22,
      username: 'ci',
    });
    expect(parseEngineHost('ssh://ci@[::1]:2222')).toEqual({
      protocol: 'ssh',
      host: '::1',
      port: 2222,
      username: 'ci',
    });
    expect(parseEngineHost('tcp://10.0.0.5:2376')).toEqual({ protocol: 'tcp', host: '10.0.0.5', port: 2376 });
  });

  it.each([
    ['docker.example:2375', 'unsupported scheme'],
    ['not a url', 'is not a URL'],
    ['http://h:2375', 'unsupported scheme "http"'],
    ['tcp://h', 'needs a port'],
    ['tcp://h:0', 'port between 1 and 65535'],
    ['tcp://h:99999', 'is not a URL'],
    ['tcp://u:p@h:2375', 'must not carry credentials'],
    ['tcp://h:2375/x', 'must not have a path'],
    ['ssh://h', 'needs a user name'],
    ['ssh://u:secret@h', 'must not carry a password'],
    ['unix://', 'absolute socket path'],
    ['unix://relative/sock', 'empty authority'],
    ['tcp://h:2375?tls=1', 'query or fragment'],
  ])('rejects %s', (host, why) => {
    expect(() => parseEngineHost(host)).toThrow(why);
    expect(() => parseEngineHost(host)).toThrow('expected unix:///path/to/docker.sock, ssh://user@host');
  });
});

describe('sandbox.engines in the suite schema', () => {
  it('accepts several engines and leaves them out when absent', () => {
    const parsed = SandboxDefaultsSchema.parse({
      engines: [
        { host: 'unix:///var/run/docker.sock', max: 4 },
        { host: 'ssh://ci@build-1', max: 8, name: 'build-1', identity: '/keys/id_ed25519' },
        { host: 'tcp://10.0.0.5:2376', max: 2, tls: { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' } },
      ],
    });
    expect(parsed.engines?.map((e) => e.name ?? e.host)).toEqual([
      'unix:///var/run/docker.sock',
      'build-1',
      'tcp://10.0.0.5:2376',
    ]);
    expect(SandboxDefaultsSchema.parse({}).engines).toBeUndefined();
  });

  it('names the field and the reason for a bad host', () => {
    const found = issues({
      engines: [
        { host: 'unix:///s', max: 1 },
        { host: 'tcp://h', max: 1 },
      ],
    });
    expect(found).toEqual([{ path: 'engines.1.host', message: expect.stringContaining('needs a port') }]);
  });

  it('allows tls only on tcp engines and an identity only on ssh engines', () => {
    const tls = { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' };
    expect(issues({ engines: [{ host: 'ssh://u@h', max: 1, tls }] })).toEqual([
      { path: 'engines.0.tls', message: 'tls is only for tcp:// engines, not ssh://' },
    ]);
    expect(issues({ engines: [{ host: 'unix:///s', max: 1, tls }] })).toEqual([
      { path: 'engines.0.tls', message: 'tls is only for tcp:// engines, not unix://' },
    ]);
    expect(issues({ engines: [{ host: 'tcp://h:1', max: 1, identity: 'k' }] })).toEqual([
      { path: 'engines.0.identity', message: 'identity is only for ssh:// engines, not tcp://' },
    ]);
    expect(
      issues({ engines: [{ host: 'tcp://h:1', max: 1, tls: { ca: 'ca.pem', cert: 'c.pem' } }] }),
    ).toEqual([{ path: 'engines.0.tls.key', message: expect.any(String) }]);
  });

  it('requires a positive whole max, a non-empty list, distinct names and the docker engine', () => {
    expect(issues({ engines: [{ host: 'unix:///s', max: 0 }] })[0]?.path).toBe('engines.0.max');
    expect(issues({ engines: [{ host: 'unix:///s', max: 1.5 }] })[0]?.path).toBe('engines.0.max');
    expect(issues({ engines: [{ host: 'unix:///s' }] })[0]?.path).toBe('engines.0.max');
    expect(issues({ engines: [] })[0]?.path).toBe('engines');
    expect(issues({ engines: [{ host: 'unix:///s', max: 1, port: 2 }] })[0]?.path).toBe('engines.0');
    expect(
      issues({
        engines: [
          { host: 'unix:///a', max: 1, name: 'x' },
          { host: 'unix:///b', max: 1, name: 'x' },
        ],
      }),
    ).toEqual([{ path: 'engines.1.name', message: 'duplicate engine name "x"' }]);
    expect(issues({ engine: 'local', engines: [{ host: 'unix:///s', max: 1 }] })).toEqual([
      { path: 'engines', message: 'engines need engine: docker' },
    ]);
  });
});
