/** The CLI's output as reports come: the JSON array written item by item, the reorder buffer, the tallies, the table's rows. */
import fc from 'fast-check';
import type { IndexEntry } from '../lib/fleet-index';
import { formatIndexTable, formatRows, formatTable, tableRow } from '../lib/format';
import type { Report } from '../lib/report';
import { InOrder, JsonArrayWriter, jsonArrayItem, RunTally } from '../lib/report-stream';
import { sampleReport } from './fixtures/reports';

/** The array written item by item, as one string. */
function streamed(items: readonly unknown[]): string {
  let text = '';
  const writer = new JsonArrayWriter((chunk) => (text += chunk));
  for (const item of items) writer.add(jsonArrayItem(item));
  writer.end();
  return text;
}

describe('JsonArrayWriter', () => {
  it('writes exactly what JSON.stringify(items, null, 2) writes, and a newline: for none, one and several', () => {
    const at = '2026-05-01T00:00:00.000Z';
    const reports = [sampleReport({ host: 'a.test', checkedAt: at }), sampleReport({ host: 'b.test', checkedAt: at, status: 'warning', leaf: { daysRemaining: 3 } })];
    expect(streamed([])).toBe('[]\n');
    for (const items of [[], reports.slice(0, 1), reports]) expect(streamed(items)).toBe(`${JSON.stringify(items, null, 2)}\n`);
  });

  it('matches JSON.stringify for any JSON value, strings with newlines and empty containers included', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue().filter((v) => v !== undefined)), (items) => {
        expect(streamed(items)).toBe(`${JSON.stringify(items, null, 2)}\n`);
      }),
    );
  });
});

describe('InOrder', () => {
  it('gives items on in position order whatever order they come in, holding only those that wait', () => {
    fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
        async (order) => {
          const given: number[] = [];
          const inOrder = new InOrder<number>((item, position) => {
            expect(item).toBe(position);
            given.push(item);
          }, order.length);
          for (const position of order) await inOrder.put(position, position);
          expect(given).toEqual([...order.keys()]);
          expect(inOrder.held).toBe(0);
        },
      ),
    );
  });

  it('never deadlocks workers that finish in any order, and holds at most `limit` plus one per worker', async () => {
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 5 }), fc.infiniteStream(fc.integer({ min: 0, max: 6 })), async (n, workers, limit, delays) => {
        const given: number[] = [];
        const inOrder = new InOrder<number>((item) => given.push(item), limit);
        const delay = delays[Symbol.iterator]();
        let next = 0;
        const worker = async () => {
          while (next < n) {
            const position = next++;
            for (let i = delay.next().value as number; i > 0; i--) await tick();
            await inOrder.put(position, position);
          }
        };
        await Promise.all(Array.from({ length: workers }, worker));
        expect(given).toEqual([...Array(n).keys()]);
        expect(inOrder.peak).toBeLessThanOrEqual(limit + workers);
      }),
      { numRuns: 50 },
    );
  });

  it('makes a later item wait when more than `limit` wait for an earlier one, until the earliest comes', async () => {
    const given: number[] = [];
    const inOrder = new InOrder<number>((item) => given.push(item), 2);
    await inOrder.put(1, 1);
    await inOrder.put(2, 2);
    let thirdDone = false;
    const third = inOrder.put(3, 3).then(() => (thirdDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdDone).toBe(false);
    expect(inOrder.held).toBe(3);
    // The earliest missing one never waits, and lets the others go.
    await inOrder.put(0, 0);
    await third;
    expect(given).toEqual([0, 1, 2, 3]);
    expect(inOrder.peak).toBe(3);
  });

  it('refuses a position given twice', async () => {
    const inOrder = new InOrder<number>(() => undefined, 4);
    await inOrder.put(0, 0);
    await expect(inOrder.put(0, 0)).rejects.toThrow(RangeError);
  });
});

describe('RunTally', () => {
  it('counts, keeps the worst status and the first of the slowest, as a reduce over the reports would', () => {
    const tally = new RunTally();
    tally.add('ok', 10, () => 'a:443');
    tally.add('unknown', 30, () => 'b:443');
    tally.add('warning', 30, () => 'c:443');
    tally.add('ok', 5, () => 'd:443');
    expect(tally).toMatchObject({ count: 4, worst: 'unknown', counts: { ok: 2, warning: 1, unknown: 1, critical: 0 }, slowest: { where: 'b:443', durationMs: 30 } });
  });
});

describe('the table from compact rows', () => {
  const at = '2026-05-01T00:00:00.000Z';
  const reports: Report[] = [
    sampleReport({ host: 'example.com', checkedAt: at, leaf: { daysRemaining: 80.25, issuer: "CN=R11,O=Let's Encrypt" } }),
    {
      ...sampleReport({
        host: 'soon.example.org',
        port: 8443,
        address: '192.0.2.7',
        checkedAt: at,
        status: 'warning',
        leaf: { daysRemaining: 5.04 },
        findings: [
          { code: 'EXPIRES_SOON', severity: 'warning', message: 'certificate expires in 5 days' },
          { code: 'LONG_TICKET_LIFETIME', severity: 'info', message: 'tickets live long' },
        ],
      }),
      tls: { protocol: 'TLSv1.2', cipher: 'x' },
      resumption: { sessionId: 'supported', ticket: 'partial', tls13: 'not-applicable', ticketLifetimeHintSeconds: 300, attempts: { sessionId: [3, 3], ticket: [3, 1], tls13: [0, 0] } },
    },
    sampleReport({ host: '2001:db8::1', checkedAt: at, status: 'critical', findings: [{ code: 'CONNECTION_FAILED', severity: 'unknown', message: 'refused' }] }),
  ];

  // Written by formatTable before it was split into rows: the layout is unchanged.
  it.each([
    [
      false,
      'STATUS    TARGET                             EXPIRES  TLS      RESUMES     ISSUER\nok        example.com:443                    80.3d    -        -           CN=R11,O=Let\'s Encrypt\nwarning   soon.example.org:8443 (192.0.2.7)  5.0d     TLSv1.2  id,~ticket  CN=Sample Intermediate CA\n          EXPIRES_SOON  certificate expires in 5 days\n          LONG_TICKET_LIFETIME  tickets live long\ncritical  [2001:db8::1]:443                  -        -        -           -\n          CONNECTION_FAILED  refused\n',
    ],
    [
      true,
      'STATUS    TARGET                             EXPIRES  TLS      RESUMES     ISSUER\n\u001b[32mok      \u001b[0m  example.com:443                    80.3d    -        -           CN=R11,O=Let\'s Encrypt\n\u001b[33mwarning \u001b[0m  soon.example.org:8443 (192.0.2.7)  5.0d     TLSv1.2  id,~ticket  CN=Sample Intermediate CA\n          \u001b[33mEXPIRES_SOON\u001b[0m  certificate expires in 5 days\n          \u001b[36mLONG_TICKET_LIFETIME\u001b[0m  tickets live long\n\u001b[31mcritical\u001b[0m  [2001:db8::1]:443                  -        -        -           -\n          \u001b[35mCONNECTION_FAILED\u001b[0m  refused\n',
    ],
  ])('lays out the table as before (colour %s)', (color, table) => {
    expect(formatRows(reports.map((r) => tableRow(r, color)), color)).toBe(table);
    expect(formatTable(reports, color)).toBe(table);
  });

  it('shows the scheme of a target reached by STARTTLS, not of one with implicit TLS', () => {
    const at = '2026-05-01T00:00:00.000Z';
    expect(tableRow(sampleReport({ host: 'mail.test', port: 25, protocol: 'smtp', checkedAt: at }), false).cells[0]).toBe('smtp://mail.test:25');
    expect(tableRow(sampleReport({ host: 'mail.test', port: 993, protocol: 'imaps', checkedAt: at }), false).cells[0]).toBe('mail.test:993');
  });

  it('writes the header alone for no report', () => {
    expect(formatRows([], false)).toBe('STATUS  TARGET  EXPIRES  TLS  RESUMES  ISSUER\n');
  });

  it('sizes its columns over any number of rows (no spread of every row into Math.max)', () => {
    const row = tableRow(reports[0], false);
    expect(() => formatRows(Array.from({ length: 200_000 }, () => row), false)).not.toThrow();
  });
});

describe('the summary table', () => {
  it('sizes its columns over any number of entries (no spread of every entry into Math.max)', () => {
    const entry: IndexEntry = { key: 'a_443', host: 'a.test', port: 443, address: null, status: 'ok', daysRemaining: 80, notAfter: '2026-07-20T00:00:00.000Z', issuer: 'CN=CA', codes: [], checkedAt: '2026-05-01T00:00:00.000Z', report: null };
    const table = formatIndexTable(Array.from({ length: 200_000 }, () => entry), false);
    expect(table.split('\n')[1]).toBe('ok      a.test:443  80.0d    2026-07-20  CN=CA   -');
  });

  it('shows the scheme of a target reached by STARTTLS', () => {
    const entry: IndexEntry = { key: 'smtp~mail.test_25', host: 'mail.test', port: 25, scheme: 'smtp', address: null, status: 'ok', daysRemaining: 80, notAfter: '2026-07-20T00:00:00.000Z', issuer: 'CN=CA', codes: [], checkedAt: '2026-05-01T00:00:00.000Z', report: null };
    expect(formatIndexTable([entry], false).split('\n')[1]).toBe('ok      smtp://mail.test:25  80.0d    2026-07-20  CN=CA   -');
  });

  it("shows the targets file's labels when a target has some, cut to 40 characters, control characters blanked", () => {
    const base: IndexEntry = { key: 'a_443', host: 'a.test', port: 443, address: null, status: 'ok', daysRemaining: 80, notAfter: '2026-07-20T00:00:00.000Z', issuer: 'CN=CA', codes: ['X'], checkedAt: '2026-05-01T00:00:00.000Z', report: null };
    const entries: IndexEntry[] = [
      { ...base, labels: ['team-payments', 'prod'] },
      { ...base, key: 'b_443', host: 'b.test', labels: ['x'.repeat(30), 'y'.repeat(30)] },
      { ...base, key: 'c_443', host: 'c.test', labels: ['evil\u001b[31mred'] },
      { ...base, key: 'd_443', host: 'd.test' },
    ];

    expect(formatIndexTable(entries, false).split('\n')).toEqual([
      'STATUS  TARGET      EXPIRES  ON          ISSUER  LABELS                                    FINDINGS',
      'ok      a.test:443  80.0d    2026-07-20  CN=CA   team-payments, prod                       X',
      `ok      b.test:443  80.0d    2026-07-20  CN=CA   ${'x'.repeat(30)}, yyyyyyy…  X`,
      'ok      c.test:443  80.0d    2026-07-20  CN=CA   evil [31mred                              X',
      'ok      d.test:443  80.0d    2026-07-20  CN=CA   -                                         X',
      '',
    ]);
  });
});
