import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';

const BuildFlags = z.object({ force: z.boolean().default(false) });
const ListFlags = z.object({ json: z.boolean().default(false) });

function formatSize(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function registerImagesCommand(program: Command): void {
  const images = program
    .command('images')
    .description('sandbox images: build the offline base image, list images');

  images
    .command('build')
    .description(
      'build the offline base image (debootstrap + docker import; needs root); skipped when it exists',
    )
    .option('--force', 'rebuild even when the image exists')
    .action(async (raw: Record<string, unknown>) => {
      const flags = BuildFlags.parse(raw, parseOptions(BuildFlags));
      const { DockerSandboxProvider } = await import('../../sandbox/index.js');
      const provider = new DockerSandboxProvider();
      await provider.checkEngine();
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const tag = flags.force
        ? await provider.rebuildBaseImage(progress)
        : await provider.ensureImage({ kind: 'base' }, progress);
      process.stdout.write(`${tag}\n`);
    });

  images
    .command('list')
    .description('list turnbench images on the Docker engine')
    .option('--json', 'print one JSON array')
    .action(async (raw: Record<string, unknown>) => {
      const flags = ListFlags.parse(raw, parseOptions(ListFlags));
      const { DockerSandboxProvider } = await import('../../sandbox/index.js');
      const provider = new DockerSandboxProvider();
      await provider.checkEngine();
      const list = await provider.listImages();
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify(list.map((i) => ({ ...i, created: i.created.toISOString() })))}\n`,
        );
        return;
      }
      if (list.length === 0) {
        process.stdout.write('no turnbench images (run `turnbench images build`)\n');
        return;
      }
      const width = Math.max(...list.map((i) => i.tag.length), 3);
      process.stdout.write(`${'TAG'.padEnd(width)}  ID            SIZE     CREATED\n`);
      for (const i of list) {
        process.stdout.write(
          `${i.tag.padEnd(width)}  ${i.id}  ${formatSize(i.sizeBytes).padStart(7)}  ${i.created.toISOString()}\n`,
        );
      }
    });
}
