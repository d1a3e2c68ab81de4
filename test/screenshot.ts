/**
 * `npm run screenshot`: docs/status-page.png, the status page of the 50-target fixture fleet as
 * Chromium shows it (1280 pixels wide, the whole page), made again whenever the page changes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { statusPageHtml } from '../lib/status-page';
import { startBrowser } from './fixtures/browser';
import { fleetEntries } from './fixtures/fleet';

const RUN_STARTED = '2026-03-14T06:00:00.000Z';
const OUT = join(__dirname, '..', '..', 'docs', 'status-page.png');

async function screenshot(): Promise<void> {
  const html = statusPageHtml({
    header: { generatedAt: '2026-03-14T06:04:31.000Z', runStartedAt: RUN_STARTED },
    entries: fleetEntries(50, new Date(RUN_STARTED)),
    schedule: 'rate(1 day)',
  });
  const browser = await startBrowser();
  try {
    const opened = await browser.open(html, { viewport: { width: 1280, height: 1600 } });
    const failures = [...opened.consoleErrors, ...opened.pageErrors, ...opened.leaving];
    if (failures.length > 0) throw new Error(`the page failed: ${failures.join('; ')}`);
    await mkdir(join(OUT, '..'), { recursive: true });
    await opened.page.screenshot({ path: OUT, fullPage: true });
    process.stdout.write(`${OUT}\n`);
  } finally {
    await browser.close();
  }
}

screenshot().catch((err: unknown) => {
  process.stderr.write(`screenshot failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
