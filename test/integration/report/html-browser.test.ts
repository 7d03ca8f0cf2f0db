import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../../src/report/index.js';

/**
 * Opens report.html in real headless Chromium (Debian package `chromium`). In CI (CI=true) this must run;
 * locally it is skipped only when no Chromium is installed.
 */
/** The part of a browser canvas the test reads (the project compiles without the DOM lib). */
interface CanvasLike {
  id: string;
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

const CHROMIUM = process.env.TURNBENCH_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (process.env.CI === 'true' && !available)
  throw new Error(`CI=true but ${CHROMIUM} is missing (apt-get install -y chromium)`);

const FIXTURES = join(import.meta.dirname, '../../fixtures/runs');
const tmp = mkdtempSync(join(tmpdir(), 'turnbench-html-'));
let context: BrowserContext | undefined;
let htmlFile = '';

beforeAll(async () => {
  if (!available) return;
  ({
    files: { html: htmlFile },
  } = await writeReport(join(FIXTURES, 'fixture-base'), { outDir: tmp, history: true }));
  context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    offline: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await context?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!available)('report.html in headless Chromium', () => {
  it('renders the charts without console errors, sorts, drills down, and is screenshotted', async () => {
    const page = await context!.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(htmlFile).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });

    // Every chart canvas has a size and has drawn pixels.
    const canvases = await page.$$eval('canvas', (list) =>
      list.map((c) => {
        const canvas = c as unknown as CanvasLike;
        const ctx = canvas.getContext('2d');
        const pixels = ctx
          ? ctx.getImageData(0, 0, canvas.width, canvas.height).data
          : new Uint8ClampedArray();
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) painted++;
        return { id: canvas.id, width: canvas.width, height: canvas.height, painted };
      }),
    );
    expect(canvases.map((c) => c.id).sort()).toEqual(
      [
        'chart-bytes',
        'chart-cost',
        'chart-cum',
        'chart-history',
        'chart-hit',
        'chart-pass',
        'chart-throughput',
        'chart-tokens',
      ].sort(),
    );
    for (const c of canvases) {
      expect(c.width, c.id).toBeGreaterThan(0);
      expect(c.height, c.id).toBeGreaterThan(0);
      expect(c.painted, c.id).toBeGreaterThan(100);
    }

    // The samples table has every sample; clicking "input" twice sorts descending.
    expect(await page.locator('#samples tbody tr').count()).toBe(12);
    await page.locator('#samples th[data-key="input_tokens"]').click();
    await page.locator('#samples th[data-key="input_tokens"]').click();
    const firstInput = await page.locator('#samples tbody tr').first().locator('td').nth(7).textContent();
    expect(firstInput).toBe('5,600');

    // Drill-down: the beta sample shows 4 turns, the third marked as following a compaction.
    await page.locator('#filter').fill('beta__stable__e1');
    await page.locator('#samples tbody tr[data-sample="beta__stable__e1"]').click();
    const rows = page.locator('#drilldown table tbody tr');
    expect(await rows.count()).toBe(4);
    expect(await rows.nth(2).getAttribute('class')).toContain('compaction');
    expect(await rows.nth(2).textContent()).toContain('compaction (endpoint: 1,800 → 1,300)');
    await page.locator('#filter').fill('alpha__unstable__e1');
    await page.locator('#samples tbody tr[data-sample="alpha__unstable__e1"]').click();
    expect(await page.locator('#drilldown tr.break').count()).toBe(2);
    expect(await page.locator('#drilldown').textContent()).toContain('instructions_changed');

    const shot = join(tmp, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    // Keep a copy for a human to look at (the temp dir is removed after the test).
    if (process.env.TURNBENCH_SCREENSHOT_TO) copyFileSync(shot, process.env.TURNBENCH_SCREENSHOT_TO);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });
});
