import { exitCodeOf, statusOf, worseStatus } from '../lib/report';
import { checkResumption, verdictOf } from '../lib/checks/resumption';
import { checkCrypto } from '../lib/checks/crypto';
import type { CertInfo } from '../lib/x509/cert-info';
import type { CheckInput } from '../lib/checks';
import type { ProbeResult } from '../lib/tls/resume';

describe('status and exit code', () => {
  it('ranks ok < warning < unknown < critical', () => {
    expect(worseStatus('warning', 'unknown')).toBe('unknown');
    expect(worseStatus('critical', 'unknown')).toBe('critical');
    expect(worseStatus('ok', 'warning')).toBe('warning');
  });

  it('takes the worst finding severity and counts info as ok', () => {
    expect(statusOf([])).toBe('ok');
    expect(statusOf([{ code: 'LONG_TICKET_LIFETIME', severity: 'info', message: '' }])).toBe('ok');
    expect(
      statusOf([
        { code: 'TIMEOUT', severity: 'unknown', message: '' },
        { code: 'CHAIN_ORDER', severity: 'warning', message: '' },
      ]),
    ).toBe('unknown');
  });

  it('maps statuses to the monitoring-plugin exit codes', () => {
    expect([exitCodeOf('ok'), exitCodeOf('warning'), exitCodeOf('critical'), exitCodeOf('unknown')]).toEqual([0, 1, 2, 3]);
  });
});

describe('resumption verdicts', () => {
  const probe = (state: ProbeResult['state'], tried = 0, resumed = 0): ProbeResult => ({ state, tried, resumed });

  it.each([
    [probe('tried', 3, 3), 'supported'],
    [probe('tried', 3, 1), 'partial'],
    [probe('tried', 3, 0), 'unsupported'],
    [probe('not-offered'), 'unsupported'],
    [probe('not-applicable'), 'not-applicable'],
    [probe('error', 1, 1), 'error'],
  ])('%j is %s', (result, verdict) => {
    expect(verdictOf(result)).toBe(verdict);
  });

  const input = (sessionId: ProbeResult, ticket: ProbeResult, tls13: ProbeResult) =>
    ({ resumption: { sessionId, ticket, tls13, ticketLifetimeHintSeconds: null } }) as CheckInput;
  const ctx = { now: new Date(), warnDays: 30, criticalDays: 7, trustSource: 'test' };

  it('does not claim NO_RESUMPTION when a probe ended in an error', () => {
    expect(checkResumption(input(probe('tried', 3, 0), probe('error'), probe('not-applicable')), ctx)).toEqual([]);
  });

  it('claims NO_RESUMPTION when nothing resumed and nothing failed', () => {
    const findings = checkResumption(input(probe('tried', 3, 0), probe('not-offered'), probe('not-applicable')), ctx);
    expect(findings.map((f) => f.code)).toEqual(['NO_RESUMPTION']);
  });

  it('is satisfied by one partial mechanism', () => {
    expect(checkResumption(input(probe('tried', 3, 0), probe('tried', 3, 2), probe('not-applicable')), ctx)).toEqual([]);
  });
});

describe('weak keys and signatures (the rules, on facts a real server cannot always serve)', () => {
  const ctx = { now: new Date(), warnDays: 30, criticalDays: 7, trustSource: 'test' };
  const leaf = (facts: Partial<CertInfo>) =>
    ({ leaf: { keyAlgorithm: 'EC', keySize: 256, signatureAlgorithm: 'ecdsa-with-SHA256', ...facts }, chain: null, path: [] }) as unknown as CheckInput;

  it.each([
    [{ keyAlgorithm: 'EC', keySize: 192 }, ['WEAK_KEY']],
    [{ keyAlgorithm: 'EC', keySize: 256 }, []],
    [{ keyAlgorithm: 'RSA', keySize: 2047 }, ['WEAK_KEY']],
    [{ keyAlgorithm: 'RSA', keySize: 2052 }, ['WEAK_KEY']],
    [{ keyAlgorithm: 'RSA', keySize: 2048 }, []],
    [{ keyAlgorithm: 'DSA', keySize: 3072 }, ['WEAK_KEY']],
    [{ keyAlgorithm: 'Ed25519', keySize: 256 }, []],
    [{ signatureAlgorithm: 'md5WithRSAEncryption' }, ['WEAK_SIGNATURE']],
    [{ signatureAlgorithm: 'sha1WithRSAEncryption' }, ['WEAK_SIGNATURE']],
    [{ signatureAlgorithm: 'ecdsa-with-SHA1' }, ['WEAK_SIGNATURE']],
    [{ signatureAlgorithm: 'sha256WithRSAEncryption' }, []],
  ])('%j gives %j', (facts, expected) => {
    expect(checkCrypto(leaf(facts), ctx).map((f) => f.code)).toEqual(expected);
  });
});
