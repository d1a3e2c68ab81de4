/** When an alert goes out: a table of previous/current reports and what was already told. */
import fc from 'fast-check';
import { type AlertDecision, decideAlert, dedupKey, DEFAULT_ALERT_THRESHOLDS, type TargetAlertMemory, thresholdFor } from '../lib/alerts/decide';
import { checkCertChanged } from '../lib/checks/cert-changed';
import type { Finding, Report, Status } from '../lib/report';
import { sampleReport } from './fixtures/reports';

const NOW = new Date('2026-11-23T05:00:00.000Z');
const HOUR = 3_600_000;

const FINDING: Record<string, Finding> = {
  soon: { code: 'EXPIRES_SOON', severity: 'warning', message: 'certificate expires in 20 days (2026-12-13)' },
  soonCritical: { code: 'EXPIRES_SOON', severity: 'critical', message: 'certificate expires in 6 days (2026-11-29)' },
  mismatch: { code: 'HOSTNAME_MISMATCH', severity: 'critical', message: 'certificate is valid for a.test, not example.test' },
  weakKey: { code: 'WEAK_KEY', severity: 'critical', message: 'RSA key of 1024 bits' },
  refused: { code: 'CONNECTION_FAILED', severity: 'unknown', message: 'connection failed: connect ECONNREFUSED' },
  noResumption: { code: 'NO_RESUMPTION', severity: 'warning', message: 'no session resumes' },
  revocationUnknown: { code: 'REVOCATION_UNKNOWN', severity: 'info', message: 'no responder answered' },
};

function report(status: Status, days: number | null, findings: Finding[] = [], fingerprint = 'AA:AA', at = NOW): Report {
  return sampleReport({
    host: 'example.test',
    address: '192.0.2.10',
    checkedAt: at.toISOString(),
    status,
    findings,
    leaf: days === null ? undefined : { daysRemaining: days, fingerprint },
  });
}

function decide(previous: Report | null, current: Report, memory: TargetAlertMemory | null = null, now = NOW): AlertDecision {
  return decideAlert({ previous, current, memory, thresholds: DEFAULT_ALERT_THRESHOLDS, now });
}

/** What was remembered after the previous run told about `previous`. */
function toldAbout(previous: Report, at: Date = new Date(NOW.getTime() - HOUR)): TargetAlertMemory | null {
  return decide(null, previous, null, at).memory;
}

const reasonKinds = (d: AlertDecision) => d.alert?.reasons.map((r) => r.kind) ?? [];

describe('deciding an alert', () => {
  it.each<[string, Report | null, Report, string[]]>([
    ['a first-seen healthy target: nothing', null, report('ok', 90), []],
    ['a first-seen critical target is its first check', null, report('critical', 90, [FINDING.mismatch]), ['first-check']],
    ['a first-seen unreachable target', null, report('unknown', null, [FINDING.refused]), ['first-check']],
    ['a first-seen warning', null, report('warning', 90, [FINDING.noResumption]), ['first-check']],
    ['ok to warning', report('ok', 90), report('warning', 90, [FINDING.noResumption]), ['worse']],
    ['warning to critical', report('warning', 90, [FINDING.noResumption]), report('critical', 90, [FINDING.noResumption, FINDING.mismatch]), ['worse']],
    ['info findings alone are ok', null, report('ok', 90, [FINDING.revocationUnknown]), []],
  ])('%s', (_name, previous, current, kinds) => {
    expect(reasonKinds(decide(previous, current))).toEqual(kinds);
  });

  it('tells a first check as such, coming from no status at all', () => {
    const d = decide(null, report('critical', 90, [FINDING.mismatch]));
    expect(d.alert?.reasons).toEqual([{ kind: 'first-check', from: null }]);
    expect(d.alert?.previousStatus).toBeNull();
  });

  it('does not call a target whose previous report is unreadable, but was told about, a first check', () => {
    const problem = report('critical', 90, [FINDING.mismatch]);
    expect(decide(null, problem, toldAbout(problem)).alert).toBeNull();
    const d = decide(null, report('critical', 90, [FINDING.mismatch, FINDING.weakKey]), toldAbout(problem));
    expect(d.alert?.reasons).toEqual([{ kind: 'new-problem', codes: ['WEAK_KEY'] }]);
  });

  it('says the status it came from', () => {
    const d = decide(report('warning', 90, [FINDING.noResumption]), report('critical', 90, [FINDING.noResumption, FINDING.mismatch]), toldAbout(report('warning', 90, [FINDING.noResumption])));
    expect(d.alert?.reasons).toEqual([{ kind: 'worse', from: 'warning' }]);
    expect(d.alert?.previousStatus).toBe('warning');
  });

  it('tells nothing for the same problem seen again within a day', () => {
    const problem = report('critical', 90, [FINDING.mismatch]);
    expect(decide(problem, problem, toldAbout(problem)).alert).toBeNull();
  });

  it('repeats an unchanged critical or unknown problem once a day, not sooner', () => {
    for (const problem of [report('critical', 90, [FINDING.mismatch]), report('unknown', null, [FINDING.refused])]) {
      const yesterday = new Date(NOW.getTime() - 24 * HOUR);
      const d = decide(problem, problem, toldAbout(problem, yesterday));
      expect(d.alert?.reasons).toEqual([{ kind: 'repeat', lastAlertAt: yesterday.toISOString() }]);
      expect(d.memory?.lastAlertAt).toBe(NOW.toISOString());
      expect(decide(problem, problem, toldAbout(problem, new Date(NOW.getTime() - 20 * HOUR))).alert).toBeNull();
    }
  });

  it('repeats a daily schedule whose start drifted a few minutes early', () => {
    const problem = report('critical', 90, [FINDING.mismatch]);
    const almostADay = new Date(NOW.getTime() - 24 * HOUR + 5 * 60_000);
    expect(reasonKinds(decide(problem, problem, toldAbout(problem, almostADay)))).toEqual(['repeat']);
  });

  it('does not repeat a warning daily', () => {
    const warning = report('warning', 90, [FINDING.noResumption]);
    expect(decide(warning, warning, toldAbout(warning, new Date(NOW.getTime() - 72 * HOUR))).alert).toBeNull();
  });

  it.each<[number, number, number | null]>([
    [31, 30, 30],
    [30.5, 29.9, 30],
    [15, 14, 14],
    [8, 6.5, 7],
    [4, 3, 3],
    [1.5, 0.4, 1],
  ])('crosses a threshold going from %d to %d days', (before, after, crossed) => {
    const previous = report('ok', before);
    const d = decide(previous, report('ok', after), toldAbout(previous));
    expect(d.alert?.reasons).toEqual([{ kind: 'threshold', days: crossed }]);
    expect(d.alert?.threshold).toBe(crossed);
  });

  it('tells nothing between thresholds', () => {
    const previous = report('warning', 29, [FINDING.soon]);
    expect(decide(previous, report('warning', 20, [FINDING.soon]), toldAbout(previous)).alert).toBeNull();
  });

  it('tells a first-seen target only the threshold it is at, once', () => {
    const first = decide(null, report('critical', 2.5, [FINDING.soonCritical]));
    expect(first.alert?.reasons).toEqual([{ kind: 'first-check', from: null }, { kind: 'threshold', days: 3 }]);
    expect(first.memory?.told).toEqual([dedupKey(report('critical', 2.5), 'EXPIRES_SOON', 3)]);
  });

  it('tells a new problem at the same status', () => {
    const previous = report('critical', 90, [FINDING.mismatch]);
    const d = decide(previous, report('critical', 90, [FINDING.mismatch, FINDING.weakKey]), toldAbout(previous));
    expect(d.alert?.reasons).toEqual([{ kind: 'new-problem', codes: ['WEAK_KEY'] }]);
  });

  it('tells a recovery once, and forgets the target', () => {
    const previous = report('critical', 90, [FINDING.mismatch]);
    const d = decide(previous, report('ok', 90), toldAbout(previous));
    expect(d.alert?.reasons).toEqual([{ kind: 'recovered', from: 'critical' }]);
    expect(d.memory).toBeNull();
    expect(decide(report('ok', 90), report('ok', 90), d.memory).alert).toBeNull();
  });

  it('starts the thresholds afresh for a renewed certificate', () => {
    const old = report('critical', 5, [FINDING.soonCritical], 'AA:AA');
    const renewed = report('ok', 90, [], 'BB:BB');
    renewed.findings.push(...checkCertChanged(old, renewed));
    const recovered = decide(old, renewed, toldAbout(old));
    expect(reasonKinds(recovered)).toEqual(['recovered']);
    expect(renewed.findings.map((f) => f.code)).toEqual(['CERT_CHANGED']);

    // A replacement that is itself short-lived is told at its own threshold, though 7 was told for the old one.
    const shortLived = report('warning', 20, [FINDING.soon], 'CC:CC');
    expect(decide(old, shortLived, toldAbout(old)).alert?.reasons).toContainEqual({ kind: 'threshold', days: 30 });
  });

  it('keys a problem by target, address, code, threshold and leaf fingerprint', () => {
    expect(dedupKey(report('warning', 20, [], 'AB:CD'), 'EXPIRES_SOON', 30)).toBe('example.test:443|192.0.2.10|EXPIRES_SOON|30|AB:CD');
    expect(dedupKey(report('unknown', null), 'CONNECTION_FAILED', null)).toBe('example.test:443|192.0.2.10|CONNECTION_FAILED|-|-');
  });

  it('finds the lowest threshold at or above the days remaining', () => {
    expect(thresholdFor(45, DEFAULT_ALERT_THRESHOLDS)).toBeNull();
    expect(thresholdFor(30, DEFAULT_ALERT_THRESHOLDS)).toBe(30);
    expect(thresholdFor(13.9, DEFAULT_ALERT_THRESHOLDS)).toBe(14);
    expect(thresholdFor(-3, DEFAULT_ALERT_THRESHOLDS)).toBe(1);
  });

  it('never tells an unchanged report twice within a day (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Finding[]>([], [FINDING.mismatch], [FINDING.noResumption], [FINDING.refused], [FINDING.soon]),
        fc.option(fc.double({ min: -5, max: 400, noNaN: true }), { nil: null }),
        fc.array(fc.integer({ min: 1, max: 23 * 60 }), { minLength: 1, maxLength: 5 }),
        (findings, days, gapsMinutes) => {
          const status = findings.reduce<Status>((s, f) => (f.severity === 'critical' || s === 'critical' ? 'critical' : f.severity === 'unknown' ? 'unknown' : f.severity === 'warning' && s === 'ok' ? 'warning' : s), 'ok');
          let at = NOW.getTime();
          const first = report(status, days, findings, 'AA:AA', new Date(at));
          let memory = decide(null, first, null, new Date(at)).memory;
          let elapsed = 0;
          for (const gap of gapsMinutes) {
            at += gap * 60_000;
            elapsed += gap;
            if (elapsed >= 23 * 60) break;
            const again = report(status, days, findings, 'AA:AA', new Date(at));
            const d = decide(first, again, memory, new Date(at));
            if (d.alert) return false;
            memory = d.memory;
          }
          return true;
        },
      ),
    );
  });
});

describe('CERT_CHANGED', () => {
  it('is an info finding naming both certificates when the fingerprint differs', () => {
    const [finding] = checkCertChanged(report('ok', 5, [], 'AA:AA:01'), report('ok', 90, [], 'BB:BB:02'));
    expect(finding).toMatchObject({ code: 'CERT_CHANGED', severity: 'info' });
    expect(finding.message).toMatch(/^certificate changed since 2026-11-23: was aaaa01… issued by .*; now bbbb02… issued by /);
  });

  it('is absent for the same certificate, a first report, or a failed connection', () => {
    expect(checkCertChanged(report('ok', 90), report('ok', 89))).toEqual([]);
    expect(checkCertChanged(null, report('ok', 90))).toEqual([]);
    expect(checkCertChanged(report('ok', 90), report('unknown', null, [FINDING.refused]))).toEqual([]);
  });
});
