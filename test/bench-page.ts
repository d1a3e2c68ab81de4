/**
 * The status page part of `npm run bench`: for PAGE_TARGETS fixture entries (test/fixtures/fleet.ts),
 * the time to build the index text (indexText) and the page (statusPageHtml) — the finish step's
 * share of the page — and the page's size; then, in Debian's Chromium when it is installed, the
 * time from navigation start to the first contentful paint of the page opened from a file.
 * Each a median of ROUNDS. Nothing reaches beyond file:// (the browser fixture aborts the rest).
 */
import { indexText } from '../lib/fleet-index';
import { statusPageHtml } from '../lib/status-page';
import { median } from './bench-bare-client';
import { hasChromium, startBrowser } from './fixtures/browser';
import { fleetEntries } from './fixtures/fleet';

const PAGE_TARGETS = Number(process.env.BENCH_PAGE_TARGETS ?? 10_000);
const ROUNDS = 3;

export interface PageBenchResult {
  targets: number;
  /** Building index.json's text and index.html, milliseconds. */
  buildMs: number;
  /** index.html's size in KB. */
  kb: number;
  /** Navigation start to first contentful paint, milliseconds; null without Chromium. */
  renderMs: number | null;
}


export async function pageBench(): Promise<PageBenchResult> {
  const now = new Date();
  const entries = fleetEntries(PAGE_TARGETS, now);
  const header = { schemaVersion: 1 as const, generatedAt: now.toISOString(), runStartedAt: now.toISOString() };
  const builds: number[] = [];
  let html = '';
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    let index = '';
    for await (const piece of indexText(header, entries)) index += piece;
    html = statusPageHtml({ header, entries, schedule: 'rate(1 day)' });
    builds.push(performance.now() - started);
    if (index.length === 0) throw new Error('no index text');
  }
  const kb = Math.round(Buffer.byteLength(html) / 1024);
  if (!hasChromium()) return { targets: PAGE_TARGETS, buildMs: Math.round(median(builds)), kb, renderMs: null };
  const browser = await startBrowser();
  try {
    const paints: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const opened = await browser.open(html);
      const handle = await opened.page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
      paints.push(Number(await handle.jsonValue()));
      if (opened.leaving.length > 0 || opened.pageErrors.length > 0) throw new Error(`the page failed: ${[...opened.pageErrors, ...opened.leaving].join('; ')}`);
      await opened.page.close();
    }
    return { targets: PAGE_TARGETS, buildMs: Math.round(median(builds)), kb, renderMs: Math.round(median(paints)) };
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  pageBench().then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`page bench failed: ${(err as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
