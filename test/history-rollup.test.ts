/** Each target's daily rollup: one point a day, the day's worst status, 90 days, and its spans. */
import { addDays, appendToRollup, type DayPoint, daysOfSpans, historySpans, ROLLUP_DAYS, type Rollup } from '../lib/history-rollup';
import type { Finding, Report, Status } from '../lib/report';

function report(checkedAt: string, status: Status, daysRemaining: number | null, fingerprint = 'aa', findings: Finding[] = []): Report {
  return {
    schemaVersion: 1,
    target: { host: 'example.com', port: 443, servername: 'example.com', address: '127.0.0.1' },
    checkedAt,
    durationMs: 10,
    status,
    tls: null,
    leaf:
      daysRemaining === null
        ? null
        : ({ subject: 'CN=example.com', issuer: 'CN=CA', fingerprintSha256: fingerprint, notAfter: '2027-01-01T00:00:00.000Z', daysRemaining } as Report['leaf']),
    chain: null,
    revocation: { status: 'not-checked', method: 'none', revokedAt: null, reason: null, nextUpdate: null },
    resumption: { sessionId: 'skipped', ticket: 'skipped', tls13: 'skipped', ticketLifetimeHintSeconds: null, attempts: { sessionId: [0, 0], ticket: [0, 0], tls13: [0, 0] } },
    findings,
  } as Report;
}

const changed: Finding = { code: 'CERT_CHANGED', severity: 'info', message: 'the certificate changed' };

describe('appendToRollup', () => {
  it('adds a point for a new day, oldest first', () => {
    let rollup = appendToRollup(null, report('2026-11-26T05:00:00.000Z', 'ok', 40), 'k');
    rollup = appendToRollup(rollup, report('2026-11-27T05:00:00.000Z', 'ok', 39), 'k');
    expect(rollup).toEqual({
      schemaVersion: 1,
      key: 'k',
      days: [
        { day: '2026-11-26', status: 'ok', daysRemaining: 40, fingerprint: 'aa' },
        { day: '2026-11-27', status: 'ok', daysRemaining: 39, fingerprint: 'aa' },
      ],
    });
  });

  it('keeps one point a day: the worst status of the day, the latest certificate, a change that day', () => {
    let rollup = appendToRollup(null, report('2026-11-27T01:00:00.000Z', 'critical', 3, 'old'), 'k');
    rollup = appendToRollup(rollup, report('2026-11-27T05:00:00.000Z', 'ok', 90, 'new', [changed]), 'k');
    rollup = appendToRollup(rollup, report('2026-11-27T09:00:00.000Z', 'warning', 90, 'new'), 'k');
    expect(rollup.days).toEqual([{ day: '2026-11-27', status: 'critical', daysRemaining: 90, fingerprint: 'new', changed: true }]);
  });

  it('forgets days older than the last 90', () => {
    let rollup: Rollup | null = null;
    for (let i = 0; i < 120; i++) rollup = appendToRollup(rollup, report(`${addDays('2026-08-01', i)}T05:00:00.000Z`, 'ok', 200 - i), 'k');
    expect(rollup!.days).toHaveLength(ROLLUP_DAYS);
    expect(rollup!.days[0].day).toBe(addDays('2026-08-01', 30));
    expect(rollup!.days.at(-1)!.day).toBe(addDays('2026-08-01', 119));
  });

  it('drops days after the report (a clock set back) rather than keep them out of order', () => {
    const later = appendToRollup(null, report('2026-11-27T05:00:00.000Z', 'ok', 40), 'k');
    expect(appendToRollup(later, report('2026-11-20T05:00:00.000Z', 'warning', 47), 'k').days).toEqual([{ day: '2026-11-20', status: 'warning', daysRemaining: 47, fingerprint: 'aa' }]);
  });

  it('keeps a target without a certificate as null days and fingerprint', () => {
    expect(appendToRollup(null, report('2026-11-27T05:00:00.000Z', 'unknown', null), 'k').days).toEqual([{ day: '2026-11-27', status: 'unknown', daysRemaining: null, fingerprint: null }]);
  });
});

function day(offset: number, status: Status, daysRemaining: number | null, fingerprint: string | null = 'aa', isChanged = false): DayPoint {
  return { day: addDays('2026-11-01', offset), status, daysRemaining, fingerprint, ...(isChanged ? { changed: true as const } : {}) };
}

describe('historySpans', () => {
  it('makes one span of consecutive days whose countdown falls by one a day', () => {
    expect(historySpans([day(0, 'ok', 50), day(1, 'ok', 49), day(2, 'ok', 48)])).toEqual([['2026-11-01', 3, 'ok', 50, 0]]);
  });

  it('starts a new span at a missing day, a status change, a certificate change, a jump in days left', () => {
    const days = [
      day(0, 'ok', 50),
      day(2, 'ok', 48), // a day missing
      day(3, 'warning', 47), // status
      day(4, 'ok', 90, 'bb', true), // renewed
      day(5, 'ok', 88, 'bb'), // countdown jumped (two days)
      day(6, 'ok', 87, 'cc'), // another certificate, no CERT_CHANGED seen
    ];
    expect(historySpans(days)).toEqual([
      ['2026-11-01', 1, 'ok', 50, 0],
      ['2026-11-03', 1, 'ok', 48, 0],
      ['2026-11-04', 1, 'warning', 47, 0],
      ['2026-11-05', 1, 'ok', 90, 1],
      ['2026-11-06', 1, 'ok', 88, 0],
      ['2026-11-07', 1, 'ok', 87, 0],
    ]);
  });

  it.each([
    ['a missing day, though the countdown fell by one', [day(0, 'ok', 50), day(2, 'ok', 49)]],
    ['a certificate change marked on a day otherwise alike', [day(0, 'ok', 50), day(1, 'ok', 49, 'aa', true)]],
    ['a day without a certificate after one with', [day(0, 'unknown', 10, null), day(1, 'unknown', null, null)]],
    ['a day with a certificate (expired a day ago) after one without', [day(0, 'unknown', null, null), day(1, 'unknown', -1, null)]],
  ])('starts a new span at %s', (_break, days) => {
    expect(historySpans(days).map(([first, length]) => [first, length])).toEqual([
      [days[0].day, 1],
      [days[1].day, 1],
    ]);
  });

  it('joins days without a certificate, and separates them from days with one', () => {
    expect(historySpans([day(0, 'unknown', null, null), day(1, 'unknown', null, null), day(2, 'unknown', 10, null)])).toEqual([
      ['2026-11-01', 2, 'unknown', null, 0],
      ['2026-11-03', 1, 'unknown', 10, 0],
    ]);
  });

  it('gives back the days it was made of (what the page draws)', () => {
    const days = [day(0, 'ok', 50), day(1, 'ok', 49), day(2, 'critical', 48), day(5, 'ok', 90, 'bb', true), day(6, 'ok', 89, 'bb')];
    expect(daysOfSpans(historySpans(days))).toEqual(days.map((d) => ({ day: d.day, status: d.status, daysRemaining: d.daysRemaining, ...(d.changed ? { changed: true } : {}) })));
  });
});
