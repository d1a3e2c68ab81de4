/**
 * x509-limbo (C2SP, Apache-2.0; test/conformance/README.md): every SERVER case without CRLs
 * through the same checks as `certcheck --chain-file`. A case agrees or is listed, with a reason,
 * in known-disagreements.json; a listed case that starts to agree fails too, so the list only
 * shrinks. And every case that `openssl verify -x509_strict` gets right, certcheck gets right.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import known from './conformance/known-disagreements.json';
import { type LimboCase, limboServerCases, runLimboCase, verdictOf } from './fixtures/limbo';

const cases = limboServerCases();
const listed = known as Record<string, string>;
const ours = new Map<string, { verdict: string; findings: string }>();

async function opensslVerdict(tc: LimboCase, dir: string): Promise<'SUCCESS' | 'FAILURE'> {
  const base = join(dir, tc.id.replace(/[^a-z0-9]+/gi, '_'));
  await writeFile(`${base}-leaf.pem`, tc.peer_certificate);
  await writeFile(`${base}-roots.pem`, tc.trusted_certs.join(''));
  await writeFile(`${base}-untrusted.pem`, tc.untrusted_intermediates.join(''));
  const args = ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', `${base}-roots.pem`];
  if (tc.untrusted_intermediates.length > 0) args.push('-untrusted', `${base}-untrusted.pem`);
  const peer = tc.expected_peer_name;
  if (peer) args.push(peer.kind === 'IP' ? '-verify_ip' : '-verify_hostname', peer.value);
  if (tc.validation_time) args.push('-attime', String(Math.floor(new Date(tc.validation_time).getTime() / 1000)));
  if (tc.max_chain_depth !== null) args.push('-verify_depth', String(tc.max_chain_depth + 1));
  try {
    await promisify(execFile)('openssl', [...args, `${base}-leaf.pem`]);
    return 'SUCCESS';
  } catch {
    return 'FAILURE';
  }
}

beforeAll(async () => {
  for (const tc of cases) {
    const report = await runLimboCase(tc);
    ours.set(tc.id, { verdict: verdictOf(report), findings: report.findings.map((f) => `${f.code}: ${f.message}`).join('; ') });
  }
});

describe('the x509-limbo server cases', () => {
  it('are all here: 165 SERVER cases without CRLs', () => {
    expect(cases).toHaveLength(165);
  });

  it('agree with the expected result, except the listed disagreements', () => {
    const unexpected = cases
      .filter((tc) => !(tc.id in listed) && ours.get(tc.id)?.verdict !== tc.expected_result)
      .map((tc) => ({ id: tc.id, expected: tc.expected_result, findings: ours.get(tc.id)?.findings }));
    expect(unexpected).toEqual([]);
  });

  it('still disagree on every listed case (an agreeing case leaves the list)', () => {
    const agreeing = Object.keys(listed).filter((id) => {
      const tc = cases.find((c) => c.id === id);
      return !tc || ours.get(id)?.verdict === tc.expected_result;
    });
    expect(agreeing).toEqual([]);
  });

  it('agree on at least 95%', () => {
    const agreed = cases.filter((tc) => ours.get(tc.id)?.verdict === tc.expected_result).length;
    expect(agreed / cases.length).toBeGreaterThanOrEqual(0.95);
  });

  it('never end in CHECK_FAILED', () => {
    expect([...ours.entries()].filter(([, r]) => r.findings.includes('CHECK_FAILED')).map(([id]) => id)).toEqual([]);
  });

  it('agree wherever openssl verify -x509_strict agrees', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-limbo-'));
    const missed: string[] = [];
    let opensslAgreed = 0;
    for (let i = 0; i < cases.length; i += 16) {
      const batch = cases.slice(i, i + 16);
      const verdicts = await Promise.all(batch.map((tc) => opensslVerdict(tc, dir)));
      batch.forEach((tc, j) => {
        if (verdicts[j] !== tc.expected_result) return;
        opensslAgreed++;
        if (ours.get(tc.id)?.verdict !== tc.expected_result) missed.push(tc.id);
      });
    }
    expect(missed).toEqual([]);
    // openssl 3.0 gets 112 of these right; the comparison is only worth something if it does.
    expect(opensslAgreed).toBeGreaterThan(100);
  }, 60_000);
});
