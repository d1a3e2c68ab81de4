/** The status page as a pure function of the index's entries (the browser tests see it drawn). */
import { createHash } from 'node:crypto';
import type { IndexEntry } from '../lib/fleet-index';
import { addDays } from '../lib/history-rollup';
import type { Status } from '../lib/report';
import { escapeHtml, nextRunWords, PAGE_CSP, shortIssuer, StatusPageBuilder, statusPageHtml } from '../lib/status-page';
import { FINDING_WORDS } from '../lib/status-page/words';
import { pageRowKeys } from './fixtures/fleet';

const RUN = '2026-11-27T05:00:00.000Z';
const header = { generatedAt: '2026-11-27T05:03:00.000Z', runStartedAt: RUN };

function entry(host: string, status: Status, daysRemaining: number | null, more: Partial<IndexEntry> = {}): IndexEntry {
  return {
    key: `${host}_443`,
    host,
    port: 443,
    address: null,
    status,
    daysRemaining,
    notAfter: daysRemaining === null ? null : new Date(Date.parse(RUN) + daysRemaining * 86_400_000).toISOString(),
    issuer: daysRemaining === null ? null : 'CN=R3, O=Example CA, C=US',
    codes: [],
    checkedAt: RUN,
    report: `reports/${host}_443/2026-11-27/${RUN}.json`,
    ...more,
  };
}

function page(entries: IndexEntry[], more: { schedule?: string | null; maxRows?: number } = {}): string {
  return statusPageHtml({ header, entries, schedule: more.schedule ?? null, maxRows: more.maxRows });
}

const rowKeys = pageRowKeys;

function pageData(html: string): { run: { day: string; total: number }; strings: string[]; rows: unknown[][] } {
  const json = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html)![1];
  return JSON.parse(json) as ReturnType<typeof pageData>;
}

describe('statusPageHtml', () => {
  const fleet = [
    entry('ok-far.example', 'ok', 300),
    entry('warn.example', 'warning', 12, { codes: ['EXPIRES_SOON'] }),
    entry('ok-near.example', 'ok', 31),
    entry('down.example', 'unknown', null, { codes: ['TIMEOUT'] }),
    entry('expired.example', 'critical', -2, { codes: ['EXPIRED', 'HOSTNAME_MISMATCH'] }),
    entry('broken.example', 'critical', 50, { codes: ['UNTRUSTED_ROOT'] }),
  ];

  it('renders every row on the server, most urgent first: critical, unknown, warning, ok; fewest days first', () => {
    expect(rowKeys(page(fleet))).toEqual(['expired.example_443', 'broken.example_443', 'down.example_443', 'warn.example_443', 'ok-near.example_443', 'ok-far.example_443']);
  });

  it('counts each status and the whole fleet in the header, zeros included', () => {
    const html = page(fleet.filter((e) => e.status !== 'warning'));
    const counts = Object.fromEntries([...html.matchAll(/<li data-status="(\w+)"><span class="n">(\d+)<\/span>/g)].map((m) => [m[1], Number(m[2])]));
    expect(counts).toEqual({ critical: 2, unknown: 1, warning: 0, ok: 2, all: 5 });
    expect(html).toContain('<title>certcheck: 2 critical, 1 unknown of 5 target(s)</title>');
  });

  it('writes findings in words, status in words, and the issuer by its common name', () => {
    const html = page(fleet);
    expect(html).toMatch(/<tr data-status=critical><td>critical<td>expired.example:443<td>-2<td>2026-11-25<td>R3<td>expired; wrong host name\n/);
    expect(html).toMatch(/<tr data-status=unknown><td>unknown<td>down.example:443<td>—<td>—<td>—<td>timed out\n/);
  });

  it('works without script: controls and timeline are hidden until the script shows them, no row is hidden', () => {
    const html = page(fleet);
    expect(html).toMatch(/<div id="controls" role="search" hidden>/);
    expect(html).toMatch(/<section id="timeline-section"[^>]* hidden>/);
    expect(html).toMatch(/<section id="detail"[^>]* hidden>/);
    expect(html).not.toMatch(/<tr[^>]* hidden/);
  });

  it('shows hostile names and messages as text, and keeps them out of its script', () => {
    const evil = '<script>alert(1)</script>"\'&';
    const html = page([
      entry(`${evil}.example`, 'critical', 5, {
        issuer: `CN=${evil}`,
        codes: ['HOSTNAME_MISMATCH'],
        findings: [{ code: 'HOSTNAME_MISMATCH', severity: 'critical', message: `not for </script><script>alert(2)</script>` }],
        chain: { trusted: false, presented: [`CN=</script>${evil}`], path: [] },
      }),
    ]);
    // One inline script only (the page's own), and the JSON block holds no tag.
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toContain('alert(1)</script>');
    expect(html).toContain(escapeHtml(`${evil}.example:443`));
    const data = pageData(html);
    expect(data.strings).toContain(`CN=</script>${evil}`);
    expect(JSON.stringify(data.rows[0])).toContain('not for </script><script>alert(2)</script>');
  });

  it('allows exactly its own script by hash, and nothing to load from anywhere', () => {
    const html = page(fleet);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">`);
    expect(PAGE_CSP).toContain(`script-src 'sha256-${hash}'`);
    expect(PAGE_CSP).toMatch(/^default-src 'none';/);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  it('carries each row’s detail as data, its history as day offsets from the run, and drops spans older than 90 days', () => {
    const html = page([
      entry('a.example', 'ok', 40, {
        findings: [{ code: 'CERT_CHANGED', severity: 'info', message: 'the certificate changed' }],
        chain: { trusted: true, presented: ['CN=a.example', 'CN=R3'], path: ['CN=a.example', 'CN=R3', 'CN=Root'] },
        resumption: { sessionId: 'supported', ticket: 'unsupported', tls13: 'error' },
        revocation: { status: 'good', method: 'ocsp-stapled' },
        protocol: 'TLSv1.3',
        subject: 'CN=a.example',
        names: ['a.example', 'www.a.example'],
        history: [
          ['2026-07-01', 10, 'ok', 90, 0],
          ['2026-08-29', 30, 'warning', 10, 0],
          ['2026-11-20', 8, 'ok', 47, 1],
        ],
      }),
    ]);
    const { run, strings, rows } = pageData(html);
    expect(run).toMatchObject({ day: '2026-11-27', total: 1 });
    const [findings, presented, path, trusted, resumption, revocation, history, stored, names, protocol, subject, checkedAt, issuer] = rows[0] as [
      unknown,
      number[],
      number[],
      number,
      string,
      number,
      unknown,
      number,
      string[],
      number,
      number,
      number,
      number,
    ];
    expect(findings).toEqual([['CERT_CHANGED', 'i', 'the certificate changed']]);
    // The leaf's usual subject, CN=<host>, is -1 (the script rebuilds it from the row's host).
    expect(presented).toEqual([-1, strings.indexOf('CN=R3')]);
    // The path shares its first two certificates with the presented chain, then has its own root.
    expect(path[0]).toBe(2);
    expect(path.slice(1).map((i) => strings[i])).toEqual(['CN=Root']);
    expect([trusted, resumption, strings[revocation], stored, names, strings[protocol], subject, strings[checkedAt], strings[issuer]]).toEqual([
      1,
      'sue',
      'good (OCSP, stapled)',
      1,
      null, // names only where a name is the problem
      'TLSv1.3',
      null, // the subject is the first presented certificate's
      '2026-11-27 05:00 UTC',
      'CN=R3, O=Example CA, C=US',
    ]);
    // The window is the 90 days from 2026-08-30: 2026-07-01 + 10 days is dropped, 2026-08-29 cut by a day.
    expect(history).toEqual([
      [-89, 29, 2, 9], // warning
      [-7, 8, 3, 47, 1], // ok, the certificate changed on its first day
    ]);
  });

  it('escapes every text a row writes, in its cells and in its key: a code from a newer certcheck, an address, an expiry', () => {
    const evil = `<i>"'&</i>`;
    const html = page([entry('x.example', 'warning', 5, { key: `k${evil}`, address: `a${evil}`, notAfter: evil, codes: [`NEW${evil}`] })]);
    const row = /<tr[^\n]*\n/.exec(html.slice(html.indexOf('<tbody>')))![0];
    const text = row.replace(/<tr data-key="[^"]*" data-status=warning>|<td>|<small>|<\/small>/g, '');
    expect(text).not.toMatch(/[<>"']/);
    expect(text.replace(/&#\d+;/g, '')).not.toContain('&');
    expect(rowKeys(html)).toEqual([`k${evil}`]);
    expect(row).toContain(`<small>${escapeHtml(`a${evil}`)}</small>`);
  });

  it('keeps only the days of the last 90 up to the run’s day: a span that ends before them is dropped, one that starts after the run’s day too, and one cut at the left edge loses its change mark', () => {
    const runDay = RUN.slice(0, 10);
    const { rows } = pageData(
      page([
        entry('h.example', 'critical', 20, {
          history: [
            [addDays(runDay, -99), 10, 'ok', 120, 1], // its last day is day -90
            [addDays(runDay, -94), 10, 'warning', 110, 1], // cut by 5 days: the change fell outside
            [addDays(runDay, 0), 1, 'critical', 20, 1], // the run's day itself
            [addDays(runDay, 1), 1, 'ok', 19, 0], // after the run's day
          ],
        }),
      ]),
    );
    expect(rows[0][6]).toEqual([
      [-89, 5, 2, 105], // warning, the change mark gone with the cut
      [0, 1, 0, 20, 1], // critical, changed
    ]);
  });

  it('ends the window on the day the page was written: a run that crossed midnight keeps its last day, a span past that day is cut', () => {
    const html = statusPageHtml({
      header: { runStartedAt: '2026-11-27T23:59:00.000Z', generatedAt: '2026-11-28T00:04:00.000Z' },
      entries: [entry('m.example', 'ok', 40, { history: [['2026-11-25', 5, 'ok', 43, 0]] })],
      schedule: null,
    });
    const { run, rows } = pageData(html);
    expect(run.day).toBe('2026-11-28');
    // 25th to 29th: the 29th (a clock ahead) is cut, the 28th (after midnight) kept.
    expect(rows[0][6]).toEqual([[-3, 4, 3, 43]]);
  });

  it('carries the path as what it shares with the presented chain then its own, a subject that is not the first presented, and what the detail view says for an unstored report, an unchecked revocation and a severity from a newer certcheck', () => {
    const { strings, rows } = pageData(
      page([
        entry('b.example', 'warning', 40, {
          report: null,
          subject: 'CN=b.example, O=Other',
          chain: { trusted: true, presented: ['CN=b.example', 'CN=Old Intermediate'], path: ['CN=b.example', 'CN=New Intermediate', 'CN=Root'] },
          revocation: { status: 'not-checked', method: 'none' },
          findings: [{ code: 'EXPIRES_SOON', severity: 'notice' as 'info', message: 'expires in 40 days' }],
        }),
      ]),
    );
    const row = rows[0] as [[string, string, string][], number[], number[], number, string, number, unknown, number, unknown, unknown, number];
    expect(row[0]).toEqual([['EXPIRES_SOON', 'u', 'expires in 40 days']]);
    expect(row[2][0]).toBe(1);
    expect(row[2].slice(1).map((i) => strings[i])).toEqual(['CN=New Intermediate', 'CN=Root']);
    expect([strings[row[5]], row[7], strings[row[10]]]).toEqual(['not checked', 0, 'CN=b.example, O=Other']);
  });

  it('carries at most eight names where a name is the problem, and says how many more', () => {
    const names = Array.from({ length: 10 }, (_, i) => `n${i}.example`);
    const { rows } = pageData(page([entry('m.example', 'critical', 40, { codes: ['HOSTNAME_MISMATCH'], names })]));
    expect(rows[0][8]).toEqual([...names.slice(0, 8), 'and 2 more']);
  });

  it('marks the header with the worst status any target has', () => {
    const worst = (entries: IndexEntry[]) => /<span id="worst" data-status="(\w+)">/.exec(page(entries))![1];
    expect(worst(fleet)).toBe('critical');
    expect(worst(fleet.filter((e) => e.status !== 'critical'))).toBe('unknown');
    expect(worst(fleet.filter((e) => e.status === 'ok'))).toBe('ok');
  });

  it('carries the names only where a name is the problem', () => {
    const names = ['m.example', 'www.m.example'];
    const { rows } = pageData(page([entry('m.example', 'critical', 40, { codes: ['HOSTNAME_MISMATCH'], names }), entry('n.example', 'ok', 40, { names })]));
    expect(rows.map((r) => r[8])).toEqual([names, null]);
  });

  it('writes a string shared by many rows once (issuers, intermediates)', () => {
    const many = Array.from({ length: 50 }, (_, i) => entry(`h${i}.example`, 'ok', 100 + i, { chain: { trusted: true, presented: [`CN=h${i}.example`, 'CN=Shared Intermediate'], path: [] } }));
    const { strings } = pageData(page(many));
    expect(strings.filter((s) => s === 'CN=Shared Intermediate')).toHaveLength(1);
    expect(strings.filter((s) => s === 'CN=R3, O=Example CA, C=US')).toHaveLength(1);
  });

  it('shows at most maxRows, the most urgent, while counting every target', () => {
    const html = page(fleet, { maxRows: 2 });
    expect(rowKeys(html)).toEqual(['expired.example_443', 'broken.example_443']);
    expect(pageData(html).rows).toHaveLength(2);
    expect(html).toContain('The 2 most urgent of 6 targets');
    expect(html).toContain('<li data-status="all"><span class="n">6</span>');
  });

  it('keeps the most urgent rows however the entries come (bounded between sorts)', () => {
    const many = Array.from({ length: 45 }, (_, i) => entry(`h${String(i).padStart(2, '0')}.example`, i === 40 ? 'critical' : 'ok', 100 - i));
    const keys = rowKeys(page(many, { maxRows: 4 }));
    expect(keys).toEqual(['h40.example_443', 'h44.example_443', 'h43.example_443', 'h42.example_443']);
  });

  it('holds at most twice maxRows rows while the entries come, however many come', () => {
    const builder = new StatusPageBuilder({ header, schedule: null, maxRows: 3 });
    let most = 0;
    for (let i = 0; i < 50; i++) {
      builder.add(entry(`h${i}.example`, 'ok', 100 + i));
      most = Math.max(most, builder['rows'].length);
    }
    expect(most).toBeLessThanOrEqual(6);
    expect(rowKeys([...builder.parts()].join(''))).toEqual(['h0.example_443', 'h1.example_443', 'h2.example_443']);
  });

  it('shows an IPv6 target in brackets and the address a row was checked at, and writes a key only where the row does not give it', () => {
    const html = page([
      entry('2001:db8::1', 'ok', 60, { key: '2001-db8--1_443', address: '2001:db8::1' }),
      entry('multi.example', 'ok', 70, { key: 'multi.example_443_192.0.2.7', address: '192.0.2.7' }),
      entry('one.example', 'ok', 80, { key: 'one.example_443', address: '192.0.2.8' }),
    ]);
    expect(html).toContain('<tr data-status=ok><td>ok<td>[2001:db8::1]:443<td');
    expect(html).toContain('<tr data-status=ok><td>ok<td>multi.example:443 <small>192.0.2.7</small><td');
    // Checked at one address but stored under the name alone: the key is written out.
    expect(html).toContain('<tr data-key="one.example_443" data-status=ok><td>ok<td>one.example:443 <small>192.0.2.8</small><td');
    expect(rowKeys(html)).toEqual(['2001-db8--1_443', 'multi.example_443_192.0.2.7', 'one.example_443']);
  });

  it('shows the scheme of a target reached by STARTTLS, and derives its key from the row like any other', () => {
    const html = page([
      entry('mail.example', 'ok', 60, { key: 'smtp~mail.example_25', port: 25, scheme: 'smtp' }),
      entry('mail.example', 'ok', 61, { key: 'mail.example_465', port: 465 }),
    ]);
    expect(html).toContain('<tr data-status=ok><td>ok<td>smtp://mail.example:25<td>60<td');
    expect(html).toContain('<tr data-status=ok><td>ok<td>mail.example:465<td>61<td');
    expect(rowKeys(html)).toEqual(['smtp~mail.example_25', 'mail.example_465']);
  });

  it('shows a target\'s labels under it, escaped and cut, without changing its key', () => {
    const long = 'x'.repeat(70);
    const html = page([
      entry('shop.example', 'ok', 60, { key: 'shop.example_443_192.0.2.9', address: '192.0.2.9', labels: ['team <b>pay</b>', 'tier "1"'] }),
      entry('long.example', 'ok', 70, { labels: [long] }),
      entry('plain.example', 'ok', 80),
    ]);
    expect(html).toContain('<td>shop.example:443 <small>192.0.2.9</small><span>team &#60;b&#62;pay&#60;/b&#62;, tier &#34;1&#34;</span><td>');
    expect(html).toContain(`<td>long.example:443<span>${'x'.repeat(59)}…</span><td>`);
    expect(html).toContain('<td>plain.example:443<td>');
    expect(html).not.toContain('<b>pay');
    expect(rowKeys(html)).toEqual(['shop.example_443_192.0.2.9', 'long.example_443', 'plain.example_443']);
  });

  it('reads an index written before the detail fields existed', () => {
    const html = page([entry('old.example', 'warning', 10, { codes: ['EXPIRES_SOON'] })]);
    expect(pageData(html).rows[0].slice(0, 7)).toEqual([[['EXPIRES_SOON', 'i', 'expires soon']], [], [0], null, '???', null, []]);
  });
});

describe('the words of the page', () => {
  it('escapes every character that could end a text or a quoted attribute', () => {
    expect(escapeHtml(`<a title="t" alt='a'>&amp;</a>`)).toBe('&#60;a title=&#34;t&#34; alt=&#39;a&#39;&#62;&#38;amp;&#60;/a&#62;');
  });

  it('has words for every finding code', () => {
    const words = Object.entries(FINDING_WORDS);
    for (const [code, said] of words) expect(said).not.toBe(code);
    expect(new Set(words.map(([, said]) => said)).size).toBe(words.length);
  });

  it('names the issuer by CN, else O, else all of it', () => {
    expect(shortIssuer("CN=R3, O=Let's Encrypt, C=US")).toBe('R3');
    expect(shortIssuer('C=US,O=Example\\, Inc.,OU=Web')).toBe('Example\\, Inc.');
    expect(shortIssuer('C=US')).toBe('C=US');
    // An attribute's name only where an attribute starts, not inside another's value.
    expect(shortIssuer('O=Acme, OU=Team CN=x')).toBe('Acme');
  });

  it('says when the next run is due from the schedule', () => {
    expect(nextRunWords('rate(1 day)', RUN)).toEqual({ text: '2026-11-28 05:00 UTC', at: '2026-11-28T05:00:00.000Z' });
    expect(nextRunWords('rate(30 minutes)', RUN).at).toBe('2026-11-27T05:30:00.000Z');
    expect(nextRunWords('rate(6 hours)', RUN).at).toBe('2026-11-27T11:00:00.000Z');
    expect(nextRunWords('cron(0 5 * * ? *)', RUN)).toEqual({ text: 'on the schedule cron(0 5 * * ? *)', at: null });
    expect(nextRunWords(null, RUN)).toEqual({ text: 'not scheduled (this run was started by hand)', at: null });
  });
});
