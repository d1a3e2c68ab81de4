/**
 * The status page as a person sees it, in a real Chromium (Debian's): opened from a file, as
 * reports/index.html is, with and without JavaScript; what the header, the timeline, the table,
 * the filters and the detail view show for a fleet with every status, for hostile text, and for
 * 10,000 targets. No page may log an error, throw, open a dialog or request anything but itself.
 *
 * The callbacks given to evaluate() run in the page: the project compiles without the DOM's types,
 * so the elements they receive are untyped there.
 */
import { type IndexEntry } from '../lib/fleet-index';
import { daysOfSpans } from '../lib/history-rollup';
import type { Status } from '../lib/report';
import { statusPageHtml, type StatusPageInput } from '../lib/status-page';
import { findingWords } from '../lib/status-page/words';
import { type OpenedPage, type OpenOptions, startBrowser, type TestBrowser } from './fixtures/browser';
import { fleetEntries, HOSTILE, hostileEntry } from './fixtures/fleet';

const RUN_STARTED = '2026-03-14T06:00:00.000Z';
const NOW = new Date(RUN_STARTED);
const STATUSES: Status[] = ['critical', 'unknown', 'warning', 'ok'];
const RANK: Record<Status, number> = { critical: 0, unknown: 1, warning: 2, ok: 3 };
const PAGE_ROWS = 100;

/** The contract's order, written out here rather than taken from the code under test. */
function urgent(a: IndexEntry, b: IndexEntry): number {
  return RANK[a.status] - RANK[b.status] || (a.daysRemaining ?? Infinity) - (b.daysRemaining ?? Infinity) || a.key.localeCompare(b.key);
}

/** What the search looks in: the target, the issuer, the findings in words and their messages. */
function haystack(e: IndexEntry): string {
  return `${e.host}:${e.port}\n${e.issuer ?? ''}\n${e.codes.map(findingWords).join('\n')}\n${(e.findings ?? []).map((f) => f.message).join('\n')}`.toLowerCase();
}

/** The keys of `entries` (in urgency order) that the filter and the search should leave. */
function matching(entries: IndexEntry[], needle: string, status = 'all'): string[] {
  return entries
    .filter((e) => status === 'all' || (status === 'problems' ? e.status !== 'ok' : e.status === status))
    .filter((e) => haystack(e).includes(needle.toLowerCase()))
    .map((e) => e.key);
}

function inputOf(entries: IndexEntry[], schedule: string | null = 'rate(1 day)'): StatusPageInput {
  return { header: { generatedAt: '2026-03-14T06:04:31.000Z', runStartedAt: RUN_STARTED }, entries, schedule };
}

const fleet = [...fleetEntries(50, NOW), hostileEntry(NOW)];
const hostile = fleet[fleet.length - 1];
const sorted = [...fleet].sort(urgent);
const byKey = new Map(fleet.map((e) => [e.key, e]));

let browser: TestBrowser;
let opened: OpenedPage[] = [];

beforeAll(async () => {
  browser = await startBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(() => {
  // Whatever a test did, none of its pages may have failed in the console, thrown, opened a dialog or reached out.
  const pages = opened;
  opened = [];
  for (const p of pages) expect({ consoleErrors: p.consoleErrors, pageErrors: p.pageErrors, dialogs: p.dialogs, leaving: p.leaving }).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [], leaving: [] });
});

async function open(input: StatusPageInput, options?: OpenOptions): Promise<OpenedPage> {
  const page = await browser.open(statusPageHtml(input), options);
  opened.push(page);
  return page;
}

/** The 51-entry page, opened once and shared by the tests that leave it as they found it. */
let shared: Promise<OpenedPage> | undefined;
function sharedPage(): Promise<OpenedPage> {
  shared ??= browser.open(statusPageHtml(inputOf(fleet)));
  return shared.then((p) => {
    if (!opened.includes(p)) opened.push(p);
    return p;
  });
}

/** Text as a person reads it: whitespace collapsed. */
function words(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** A verdict as words (`not-applicable` reads `not applicable`), for comparing without case. */
function spoken(text: string): string {
  return words(text.replace(/[-_]/g, ' ')).toLowerCase();
}

/** Polls `read` until it equals `expected` (the page may update after an event), then asserts. */
async function eventually<T>(read: () => Promise<T>, expected: T, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  let seen = await read();
  while (!equal(seen, expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await read();
  }
  expect(seen).toEqual(expected);
}

function equal(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

interface Row {
  key: string;
  status: string;
  visible: boolean;
  cells: Record<string, string>;
  href: string | null;
  link: string | null;
}

async function rows(p: OpenedPage): Promise<Row[]> {
  return p.page.locator('#targets tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells: Record<string, string> = {};
      // The columns by position, as the header names them: status, target, days left, expires, issuer, findings.
      ['status', 'target', 'days', 'expires', 'issuer', 'findings'].forEach((name, i) => (cells[name] = tr.querySelectorAll(':scope > td')[i]?.textContent ?? ''));
      return {
        // Without the script a row may carry no data-key: its target cell gives it (host_port[_address]).
        key:
          tr.getAttribute('data-key') ??
          (() => {
            const cell = tr.querySelector(':scope > td:nth-child(2)');
            const [, host, port] = /^\[?(.*?)\]?:(\d+)$/.exec(cell?.firstChild?.textContent?.trim() ?? '') ?? [];
            const address = cell?.querySelector('small')?.textContent;
            return [host, port, ...(address ? [address] : [])].join('_').replace(/:/g, '-');
          })(),
        status: tr.getAttribute('data-status'),
        visible: tr.checkVisibility(),
        cells,
        href: tr.querySelector(':scope > td:nth-child(2) a')?.getAttribute('href') ?? null,
        link: tr.querySelector(':scope > td:nth-child(2) a')?.textContent ?? null,
      };
    }),
  );
}

async function visibleKeys(p: OpenedPage): Promise<string[]> {
  return p.page.locator('#targets tbody tr').evaluateAll((trs) => trs.filter((tr) => tr.checkVisibility()).map((tr) => tr.getAttribute('data-key')));
}

async function visible(p: OpenedPage, selector: string): Promise<boolean> {
  return p.page.locator(selector).first().evaluate((el) => el.checkVisibility());
}

async function text(p: OpenedPage, selector: string): Promise<string> {
  return words(await p.page.locator(selector).first().textContent());
}

/** `#shown`'s numbers: first and last row shown, of how many. */
async function shown(p: OpenedPage): Promise<[number, number, number] | string> {
  const said = await text(p, '#shown');
  const m = /(\d[\d,]*)\s*[–-]\s*(\d[\d,]*)\s+of\s+(\d[\d,]*)/.exec(said);
  return m ? [Number(m[1].replace(/,/g, '')), Number(m[2].replace(/,/g, '')), Number(m[3].replace(/,/g, ''))] : said;
}

/** Whether an element or a <time> in it names `iso`'s instant: by its datetime, or its date and time in words (UTC). */
async function namesInstant(p: OpenedPage, selector: string, iso: string): Promise<boolean> {
  const at = Date.parse(iso);
  const datetimes = await p.page.locator(selector).first().evaluate((el) => [el, ...el.querySelectorAll('time')].map((t) => t.getAttribute('datetime')).filter((d) => d !== null));
  if ((datetimes as string[]).some((d) => Date.parse(d) === at)) return true;
  const said = await text(p, selector);
  return said.includes(iso.slice(0, 10)) && said.includes(iso.slice(11, 16));
}

/** What a person knows an issuer by: its CN. */
function commonName(dn: string): string {
  return /(?:^|,)CN=([^,]*)/.exec(dn)?.[1] ?? dn;
}

function hostPort(e: IndexEntry): string {
  return `${e.scheme ? `${e.scheme}://` : ''}${e.host}:${e.port}`;
}

function hashOf(key: string): string {
  return `#t=${encodeURIComponent(key)}`;
}

/** What the detail view must show for `entry`. */
async function expectDetailOf(p: OpenedPage, entry: IndexEntry): Promise<void> {
  await eventually(() => visible(p, '#detail'), true);
  expect(await text(p, '#detail-title')).toContain(hostPort(entry));
  expect((await text(p, '#detail-status')).toLowerCase()).toContain(entry.status);
  const findings = await p.page.locator('#detail-findings li[data-code]').evaluateAll((lis) => lis.map((li) => ({ code: li.getAttribute('data-code'), text: li.textContent })));
  expect(findings.map((f) => f.code)).toEqual((entry.findings ?? []).map((f) => f.code));
  findings.forEach((f, i) => expect(words(f.text)).toContain(words(entry.findings?.[i].message ?? '')));
  const items = (selector: string): Promise<string[]> => p.page.locator(`${selector} > li`).evaluateAll((lis) => lis.map((li) => li.textContent ?? ''));
  for (const [selector, subjects] of [
    ['#detail-presented', entry.chain?.presented ?? []],
    ['#detail-path', entry.chain?.path ?? []],
  ] as const) {
    const seen = (await items(selector)).map(words);
    // Without a chain, the list may say so in one item that names no certificate.
    if (subjects.length === 0) expect(seen.length <= 1 && seen.every((item) => !item.includes('='))).toBe(true);
    else expect(seen).toEqual(subjects);
  }
  for (const kind of ['sessionId', 'ticket', 'tls13'] as const) {
    expect(spoken(await text(p, `#detail-resumption dd[data-kind="${kind}"]`))).toContain(spoken(entry.resumption?.[kind] ?? ''));
  }
  expect(spoken(await text(p, '#detail-revocation'))).toContain(spoken(entry.revocation?.status ?? ''));
  const days = daysOfSpans(entry.history ?? []);
  const points = await p.page.locator('#history circle.point').evaluateAll((cs) => cs.map((c) => ({ day: c.getAttribute('data-day'), days: c.getAttribute('data-days'), status: c.getAttribute('data-status') })));
  expect(points.map((x) => ({ ...x, days: x.days === null || x.days === '' || x.days === 'null' ? null : Number(x.days) }))).toEqual(
    days.map((d) => ({ day: d.day, days: d.daysRemaining, status: d.status })),
  );
  const changed = await p.page.locator('#history line.changed').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-day')));
  expect(changed).toEqual(days.filter((d) => d.changed).map((d) => d.day));
}

describe('the fixture fleet', () => {
  it('has every status, days left from -5 to 400, targets without a certificate, certificate changes and status changes in its history', () => {
    expect(new Set(fleet.map((e) => e.status))).toEqual(new Set(STATUSES));
    const codes = new Set(fleet.flatMap((e) => e.codes));
    for (const code of ['EXPIRES_SOON', 'EXPIRED', 'HOSTNAME_MISMATCH', 'UNTRUSTED_ROOT', 'TIMEOUT', 'CONNECTION_FAILED']) expect(codes).toContain(code);
    const days = fleet.flatMap((e) => (e.daysRemaining === null ? [] : [e.daysRemaining]));
    expect([Math.min(...days), Math.max(...days)]).toEqual([-5, 400]);
    expect(fleet.filter((e) => e.status === 'unknown').every((e) => e.daysRemaining === null && e.issuer === null)).toBe(true);
    expect(fleet.some((e) => e.history?.some((s) => s[4] === 1))).toBe(true);
    expect(fleet.some((e) => new Set(e.history?.map((s) => s[2])).size > 1)).toBe(true);
    expect(new Set(fleet.map((e) => e.key)).size).toBe(fleet.length);
    expect(fleetEntries(50, NOW)).toEqual(fleetEntries(50, NOW));
  });
});

describe('the status page in Chromium', () => {
  it('says in its header when the run started, when the next is due, and how many targets are in each status', async () => {
    const p = await sharedPage();

    const runTime = p.page.locator('header #run-time');
    expect(await runTime.evaluate((el) => el.tagName.toLowerCase())).toBe('time');
    expect(await runTime.getAttribute('datetime')).toBe(RUN_STARTED);
    expect(await visible(p, '#run-time')).toBe(true);
    expect(await namesInstant(p, 'header #next-run', '2026-03-15T06:00:00.000Z')).toBe(true);
    const counts = await p.page.locator('header ul#counts > li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-status'), li.querySelector('.n')?.textContent]));
    expect(Object.fromEntries(counts)).toEqual({
      ...Object.fromEntries(STATUSES.map((s) => [s, String(fleet.filter((e) => e.status === s).length)])),
      all: String(fleet.length),
    });
  });

  it('shows zeros for the statuses no target has, and says a run that was not scheduled has no next run', async () => {
    const p = await open(inputOf(fleet.filter((e) => e.status === 'ok').slice(0, 3), null));

    const counts = await p.page.locator('#counts > li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-status'), li.querySelector('.n')?.textContent]));
    expect(Object.fromEntries(counts)).toEqual({ critical: '0', unknown: '0', warning: '0', ok: '3', all: '3' });
    expect(await text(p, '#next-run')).toMatch(/not scheduled/i);
    expect(await namesInstant(p, '#next-run', '2026-03-15T06:00:00.000Z')).toBe(false);
  });

  it('lists every target by urgency, each row saying its status in words, its target as a link, days, expiry, issuer and findings', async () => {
    const p = await sharedPage();

    const seen = await rows(p);
    expect(seen.map((r) => r.key)).toEqual(sorted.map((e) => e.key));
    expect(seen.every((r) => r.visible)).toBe(true);
    for (const r of seen) {
      const e = byKey.get(r.key) as IndexEntry;
      expect(r.status).toBe(e.status);
      expect(words(r.cells.status).toLowerCase()).toBe(e.status);
      expect([words(r.link), r.href]).toEqual([hostPort(e), hashOf(e.key)]);
      // A target checked address by address says which.
      if (e.address !== null) expect(r.cells.target).toContain(e.address);
      if (e.daysRemaining !== null) expect(r.cells.days).toContain(String(Math.abs(e.daysRemaining)));
      if (e.notAfter !== null) expect(r.cells.expires).toContain(e.notAfter.slice(0, 10));
      if (e.issuer !== null) expect(words(r.cells.issuer)).toContain(words(commonName(e.issuer)));
      // Words, not only codes: what is left once the codes are taken out still says something.
      if (e.codes.length > 0) expect(r.cells.findings.replace(/\b[A-Z][A-Z0-9_]{2,}\b/g, '')).toMatch(/[a-z]{4,}/);
    }
    expect(await shown(p)).toEqual([1, fleet.length, fleet.length]);
  });

  it('draws one mark on the timeline per certificate due within 90 days, further right for more days, expired ones at the left edge', async () => {
    const p = await sharedPage();

    const marks = await p.page.locator('svg#timeline circle.mark').evaluateAll((cs) =>
      cs.map((c) => {
        const box = c.getBoundingClientRect();
        return { key: c.getAttribute('data-key'), days: Number(c.getAttribute('data-days')), status: c.getAttribute('data-status'), title: c.querySelector('title')?.textContent ?? '', x: box.x + box.width / 2 };
      }),
    );
    const due = fleet.filter((e) => e.daysRemaining !== null && e.daysRemaining <= 90);
    expect(marks.map((m) => m.key).sort()).toEqual(due.map((e) => e.key).sort());
    expect(due.length).toBeLessThan(fleet.filter((e) => e.daysRemaining !== null).length);
    for (const m of marks) {
      const e = byKey.get(m.key) as IndexEntry;
      expect([m.days, m.status]).toEqual([e.daysRemaining, e.status]);
      expect(words(m.title)).toContain(hostPort(e));
    }
    const ahead = marks.filter((m) => m.days >= 0).sort((a, b) => a.days - b.days);
    for (let i = 1; i < ahead.length; i++) expect(ahead[i].x).toBeGreaterThanOrEqual(ahead[i - 1].x);
    for (const a of ahead) for (const b of ahead) if (b.days - a.days >= 5) expect(b.x).toBeGreaterThan(a.x);
    const expired = marks.filter((m) => m.days < 0);
    expect(expired.length).toBeGreaterThan(1);
    const leftEdge = Math.min(...marks.map((m) => m.x));
    for (const m of expired) expect(m.x).toBeCloseTo(leftEdge, 0);
  });

  it('draws a certificate with 90 days left and not one with 91, and no mark over another, expired ones stacked at the left edge', async () => {
    const base = sorted.find((e) => e.status === 'ok') as IndexEntry;
    const edge = (days: number): IndexEntry => ({ ...base, key: `edge-${days}.example_443`, host: `edge-${days}.example`, daysRemaining: days });
    const p = await open(inputOf([...fleet, edge(90), edge(91)]));

    const marks = await p.page.locator('svg#timeline circle.mark').evaluateAll((cs) => cs.map((c) => ({ key: c.getAttribute('data-key'), at: `${c.getAttribute('cx')},${c.getAttribute('cy')}` })));
    const keys = marks.map((m) => m.key);
    expect([keys.includes('edge-90.example_443'), keys.includes('edge-91.example_443')]).toEqual([true, false]);
    expect(new Set(marks.map((m) => m.at)).size).toBe(marks.length);
  });

  it('links each row to the detail of its own key: an IPv6 target, and a target checked at an address but stored under its name', async () => {
    const base = sorted.find((e) => e.status === 'warning') as IndexEntry;
    const v6: IndexEntry = { ...base, key: '2001-db8--7_443', host: '2001:db8::7', port: 443, address: null };
    const named: IndexEntry = { ...base, key: 'named.example_443', host: 'named.example', port: 443, address: '192.0.2.9' };
    // Reached by STARTTLS: the row shows the scheme, the key starts with it, the leaf is the usual CN=<host>.
    const mail: IndexEntry = { ...base, key: 'smtp~mail.example_25', host: 'mail.example', port: 25, address: null, scheme: 'smtp', subject: 'CN=mail.example', daysRemaining: 3 };
    const p = await open(inputOf([v6, named, mail]));

    const seen = await rows(p);
    expect(seen.map((r) => [r.key, r.href])).toEqual([v6, named, mail].sort(urgent).map((e) => [e.key, hashOf(e.key)]));
    await p.page.locator(`#targets tbody tr[data-key="${named.key}"] td:nth-child(2) a`).click();
    await expectDetailOf(p, named);
    await p.page.locator(`#targets tbody tr[data-key="${mail.key}"] td:nth-child(2) a`).click();
    await expectDetailOf(p, mail);
    expect(await text(p, '#detail-subject')).toBe('CN=mail.example');
  });

  it('shows every row, in the same order, with JavaScript off, and no timeline or detail view, which need it', async () => {
    const p = await open(inputOf(fleet), { javaScript: false });

    const seen = await rows(p);
    expect(seen.map((r) => r.key)).toEqual(sorted.map((e) => e.key));
    expect(seen.filter((r) => !r.visible)).toEqual([]);
    expect(seen.filter((r, i) => !words(r.cells.target).startsWith(hostPort(sorted[i])))).toEqual([]);
    expect(await visible(p, '#detail')).toBe(false);
    expect(await visible(p, '#timeline')).toBe(false);
    // Controls that need the script are not shown without it.
    for (const control of ['#status-filter', '#search', '#prev', '#next']) expect([control, await visible(p, control)]).toEqual([control, false]);
  });

  it('shows the filter and the search once its script runs, and narrows the rows by status', async () => {
    const p = await open(inputOf(fleet));

    expect(await visible(p, '#status-filter')).toBe(true);
    expect(await p.page.locator('#search').getAttribute('type')).toBe('search');
    expect(await visible(p, '#search')).toBe(true);
    expect(await p.page.locator('#status-filter option').evaluateAll((os) => os.map((o) => o.getAttribute('value')))).toEqual(['all', 'problems', 'critical', 'unknown', 'warning', 'ok']);
    for (const filter of ['problems', ...STATUSES]) {
      await p.page.selectOption('#status-filter', filter);
      const expected = sorted.filter((e) => (filter === 'problems' ? e.status !== 'ok' : e.status === filter)).map((e) => e.key);
      await eventually(() => visibleKeys(p), expected);
      expect(await shown(p)).toEqual([1, expected.length, expected.length]);
    }
    await p.page.selectOption('#status-filter', 'all');
    await eventually(() => visibleKeys(p), sorted.map((e) => e.key));
  });

  it('searches target, issuer and findings without regard to case, together with the filter', async () => {
    const p = await open(inputOf(fleet));

    for (const [needle, why] of [
      ['MAIL-', 'a target, in other case'],
      [':993', "a target's port"],
      ['digicert', 'an issuer'],
      ["let's encrypt", "an issuer's organisation"],
      ['WRONG HOST', 'a finding'],
      ['timed out', 'a finding'],
      ['refused', "a finding's message"],
    ]) {
      await p.page.fill('#search', needle);
      const expected = matching(sorted, needle);
      expect([why, expected.length > 0, expected.length < fleet.length]).toEqual([why, true, true]);
      await eventually(() => visibleKeys(p), expected);
    }
    await p.page.fill('#search', 'digicert');
    await p.page.selectOption('#status-filter', 'problems');
    await eventually(() => visibleKeys(p), matching(sorted, 'digicert', 'problems'));
    expect(matching(sorted, 'digicert', 'problems').length).toBeLessThan(matching(sorted, 'digicert').length);
    await p.page.fill('#search', 'no such target anywhere');
    await eventually(() => visibleKeys(p), []);
  });

  it('opens the detail of a target from its row, with findings, chain, resumption, revocation and its history, and closes it', async () => {
    const p = await open(inputOf(fleet));
    // A certificate replaced by one for other names: status and certificate changes in its history.
    const entry = sorted.find((e) => e.codes.includes('HOSTNAME_MISMATCH') && e !== hostile) as IndexEntry;
    expect(await visible(p, '#detail')).toBe(false);

    await p.page.locator(`#targets tbody tr[data-key="${entry.key}"] td:nth-child(2) a`).click();

    await expectDetailOf(p, entry);
    expect(new URL(p.page.url()).hash).toBe(hashOf(entry.key));
    expect(await p.page.locator('#history line.changed').count()).toBe(1);
    await p.page.click('#detail-close');
    await eventually(() => visible(p, '#detail'), false);
    expect(new URL(p.page.url()).hash).toBe('');
  });

  it('opens the detail of a target from its mark on the timeline', async () => {
    const p = await open(inputOf(fleet));
    const entry = sorted.find((e) => e.status === 'warning') as IndexEntry;

    await p.page.locator(`#timeline circle.mark[data-key="${entry.key}"]`).click();

    await expectDetailOf(p, entry);
  });

  it('opens the detail of the target a link names (#t=<key>), also one without a certificate or a chain', async () => {
    for (const entry of [sorted.find((e) => e.status === 'ok' && (e.history?.length ?? 0) > 1), sorted.find((e) => e.codes.includes('TIMEOUT'))] as IndexEntry[]) {
      const p = await open(inputOf(fleet), { hash: hashOf(entry.key) });
      await expectDetailOf(p, entry);
    }
  });

  it('opens nothing for a link to a target it does not list, whatever the link says', async () => {
    const p = await open(inputOf(fleet), { hash: hashOf(`nowhere${HOSTILE}`) });

    expect(await visible(p, '#detail')).toBe(false);
    expect(await visibleKeys(p)).toEqual(sorted.map((e) => e.key));
  });

  it("shows hostile text in a target's host, issuer, subject and findings as text, and runs none of it", async () => {
    const p = await open(inputOf(fleet));

    const row = (await rows(p)).find((r) => r.key === hostile.key) as Row;
    expect(words(row.link)).toBe(hostPort(hostile));
    expect(row.cells.issuer).toContain(commonName(hostile.issuer ?? ''));
    const title = await p.page.locator('#timeline circle.mark').evaluateAll((cs, key) => cs.find((c) => c.getAttribute('data-key') === key)?.querySelector('title')?.textContent, hostile.key);
    expect(words(title ?? '')).toContain(words(hostile.host));

    await p.page.fill('#search', '<script>alert(1)</script>');
    await eventually(() => visibleKeys(p), [hostile.key]);
    await p.page.locator('#targets tbody tr td:nth-child(2) a').filter({ visible: true }).click();
    await expectDetailOf(p, hostile);
    expect(await text(p, '#detail')).toContain(words(HOSTILE));
    expect(p.dialogs).toEqual([]);
  });
});

describe('the status page of 10,000 targets', () => {
  const big = fleetEntries(10_000, NOW);
  const bigSorted = [...big].sort(urgent);
  let p: OpenedPage;

  beforeAll(async () => {
    p = await browser.open(statusPageHtml(inputOf(big)));
  }, 30_000);

  beforeEach(() => opened.push(p));

  it('loads with the right counts and shows the first 100 rows by urgency', async () => {
    const counts = await p.page.locator('#counts > li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-status'), li.querySelector('.n')?.textContent]));
    expect(Object.fromEntries(counts)).toEqual({ ...Object.fromEntries(STATUSES.map((s) => [s, String(big.filter((e) => e.status === s).length)])), all: '10000' });
    expect(await visibleKeys(p)).toEqual(bigSorted.slice(0, PAGE_ROWS).map((e) => e.key));
    expect(await shown(p)).toEqual([1, PAGE_ROWS, 10_000]);
  });

  it('pages through 100 rows at a time', async () => {
    await p.page.click('#next');
    await eventually(() => visibleKeys(p), bigSorted.slice(PAGE_ROWS, 2 * PAGE_ROWS).map((e) => e.key));
    expect(await shown(p)).toEqual([PAGE_ROWS + 1, 2 * PAGE_ROWS, 10_000]);
    await p.page.click('#prev');
    await eventually(() => visibleKeys(p), bigSorted.slice(0, PAGE_ROWS).map((e) => e.key));
  });

  it('filters and searches all of them', async () => {
    await p.page.selectOption('#status-filter', 'warning');
    await p.page.fill('#search', 'DigiCert');
    const expected = matching(bigSorted, 'DigiCert', 'warning');
    expect(expected.length).toBeGreaterThan(PAGE_ROWS);
    await eventually(() => visibleKeys(p), expected.slice(0, PAGE_ROWS));
    expect(await shown(p)).toEqual([1, PAGE_ROWS, expected.length]);
    await p.page.fill('#search', 'MAIL-99');
    const few = matching(bigSorted, 'mail-99', 'warning');
    expect(few.length).toBeGreaterThan(0);
    await eventually(() => visibleKeys(p), few);
  });
});
