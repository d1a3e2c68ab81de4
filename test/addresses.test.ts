/** Which addresses of a name are checked: every one or the first, IPv6 or not, and the guard's say. */
import { checkTarget, DEFAULT_CHECK_OPTIONS, type CheckOptions } from '../lib/check';
import { parseTarget } from '../lib/target';
import { TrustStore } from '../lib/x509/trust-store';
import { hierarchy } from './fixtures/pki';
import { startTlsServer, type RunningServer } from './fixtures/tls-server';

let v4: RunningServer;
let v6: RunningServer;
let trustStore: TrustStore;

beforeAll(async () => {
  const pki = await hierarchy('Addresses');
  const chain = [await pki.leaf({ cn: 'dual.test' }), pki.intermediate];
  v4 = await startTlsServer({ chain });
  v6 = await startTlsServer({ chain, host: '::1', port: v4.port });
  trustStore = new TrustStore([pki.root.cert], 'the test roots');
});

afterAll(async () => {
  await v4.close();
  await v6.close();
});

/** A resolver that answers for dual.test only, with loopback addresses in the order given. */
function check(answer: string[], opts: Partial<CheckOptions>) {
  return checkTarget(parseTarget(`dual.test:${v4.port}`), {
    ...DEFAULT_CHECK_OPTIONS,
    resumption: false,
    timeoutMs: 3000,
    trustStore,
    lookup: async () => answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    ...opts,
  });
}

describe('the addresses of a name', () => {
  it('are all checked with allAddresses, one report each', async () => {
    const reports = await check(['::1', '127.0.0.1'], { allAddresses: true });

    expect(reports.map((r) => [r.target.address, r.status])).toEqual([
      ['::1', 'ok'],
      ['127.0.0.1', 'ok'],
    ]);
  });

  it('are checked on IPv4 only when IPv6 is off', async () => {
    const before = v6.stats.connections;

    const reports = await check(['::1', '127.0.0.1'], { allAddresses: true, ipv6: false });

    expect(reports.map((r) => r.target.address)).toEqual(['127.0.0.1']);
    expect(v6.stats.connections).toBe(before);
  });

  it('are checked on IPv6 when a name has nothing else, even with IPv6 off', async () => {
    const reports = await check(['::1'], { ipv6: false });

    expect(reports.map((r) => [r.target.address, r.status])).toEqual([['::1', 'ok']]);
  });

  it('are refused whole, without a connection, when the guard refuses one of them and one address is checked', async () => {
    const before = v4.stats.connections + v6.stats.connections;

    const reports = await check(['127.0.0.1', '::1'], { addressPolicy: (a) => (a === '::1' ? 'refused by the test' : null) });

    expect(reports.map((r) => [r.target.address, r.findings.map((f) => f.code)])).toEqual([['::1', ['BLOCKED_ADDRESS']]]);
    expect(v4.stats.connections + v6.stats.connections).toBe(before);
  });

  it('are refused one by one with allAddresses, the others checked, in resolver order', async () => {
    const reports = await check(['127.0.0.1', '::1'], { allAddresses: true, addressPolicy: (a) => (a === '::1' ? 'refused by the test' : null) });

    expect(reports.map((r) => [r.target.address, r.findings.map((f) => f.code)])).toEqual([
      ['127.0.0.1', []],
      ['::1', ['BLOCKED_ADDRESS']],
    ]);
  });
});
