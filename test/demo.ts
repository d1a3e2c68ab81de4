/**
 * `npm run demo`: local TLS servers with generated certificates, one for each kind of
 * problem, checked by the real CLI, so every kind of finding can be seen offline.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../handlers/cli';
import { startHttpServer } from './fixtures/http-server';
import { DAY, EKU_CLIENT_AUTH, hierarchy, issue, issueCrl, permitDnsOnly, serialOf } from './fixtures/pki';
import { startStarttlsServer, type StarttlsServerOptions } from './fixtures/starttls-server';
import { startRawServer, startTlsServer, type RunningServer, type TlsServerOptions } from './fixtures/tls-server';
import { startWebSocketServer } from './fixtures/websocket-server';

async function demo(): Promise<number> {
  const pki = await hierarchy('Demo');
  const now = Date.now();
  const leaf = (cn: string, extra = {}) => pki.leaf({ cn, ...extra });
  const other = await hierarchy('Unknown');
  // An intermediate that may only certify names under corp.example: CHAIN_INVALID for the rest.
  const constrained = await issue({ cn: 'Demo Corp CA', ca: true, issuer: pki.root, rawExtensions: [['2.5.29.30', permitDnsOnly(['corp.example']), true]] });
  // The CRL and the intermediate, published on a local HTTP server as a CA would.
  const published = await startHttpServer();
  const crlUrl = published.url('/demo.crl');
  published.serve('/intermediate.der', pki.intermediate.cert.raw);
  const revoked = await leaf('revoked.demo', { crlUrl });
  published.serve('/demo.crl', await issueCrl(pki.intermediate, [{ serial: serialOf(revoked), reason: 1 }]));
  const scenarios: [string, Omit<TlsServerOptions, 'chain'> & { chain: Promise<TlsServerOptions['chain']> }][] = [
    ['good.demo', { chain: Promise.all([leaf('good.demo', { crlUrl }), pki.intermediate]) }],
    ['revoked.demo', { chain: Promise.all([revoked, pki.intermediate]) }],
    ['must-staple.demo', { chain: Promise.all([leaf('must-staple.demo', { crlUrl, mustStaple: true }), pki.intermediate]) }],
    ['expired.demo', { chain: Promise.all([leaf('expired.demo', { notBefore: new Date(now - 90 * DAY), notAfter: new Date(now - 2 * DAY) }), pki.intermediate]) }],
    ['soon.demo', { chain: Promise.all([leaf('soon.demo', { notAfter: new Date(now + 12 * DAY) }), pki.intermediate]) }],
    ['wrong-host.demo', { chain: Promise.all([leaf('somewhere-else.demo'), pki.intermediate]) }],
    ['self-signed.demo', { chain: Promise.all([issue({ cn: 'self-signed.demo' })]) }],
    ['untrusted.demo', { chain: Promise.all([other.leaf({ cn: 'untrusted.demo' }), other.intermediate, other.root]) }],
    ['missing-intermediate.demo', { chain: Promise.all([leaf('missing-intermediate.demo', { caIssuersUrl: published.url('/intermediate.der') })]) }],
    ['out-of-order.demo', { chain: Promise.all([leaf('out-of-order.demo'), pki.root, pki.intermediate]) }],
    ['sha1.demo', { chain: Promise.all([leaf('sha1.demo', { hash: 'sha1' }), pki.intermediate]) }],
    ['weak-key.demo', { chain: Promise.all([leaf('weak-key.demo', { key: { type: 'rsa', bits: 1024 } }), pki.intermediate]) }],
    ['constrained.demo', { chain: Promise.all([issue({ cn: 'constrained.demo', issuer: constrained }), constrained]) }],
    ['client-only.demo', { chain: Promise.all([leaf('client-only.demo', { eku: [EKU_CLIENT_AUTH] }), pki.intermediate]) }],
    ['no-resumption.demo', { chain: Promise.all([leaf('no-resumption.demo'), pki.intermediate]), sessionCache: false, tickets: false }],
    ['tls13-only.demo', { chain: Promise.all([leaf('tls13-only.demo'), pki.intermediate]), minVersion: 'TLSv1.3' }],
    ['tls10-only.demo', { chain: Promise.all([leaf('tls10-only.demo'), pki.intermediate]), minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }],
    ['null-cipher.demo', { chain: Promise.all([leaf('null-cipher.demo', { key: { type: 'rsa', bits: 2048 } }), pki.intermediate]), maxVersion: 'TLSv1.2', ciphers: 'NULL-SHA256:@SECLEVEL=0' }],
    ['tls12-long-tickets.demo', { chain: Promise.all([leaf('tls12-long-tickets.demo'), pki.intermediate]), maxVersion: 'TLSv1.2', sessionTimeout: 172_800 }],
  ];
  // Mail servers that start TLS inside their own protocol (the target's scheme says which).
  const starttls: [string, string, Omit<StarttlsServerOptions, 'chain'> & { chain: Promise<TlsServerOptions['chain']> }][] = [
    ['smtp', 'mail.demo', { dialogue: 'smtp', chain: Promise.all([leaf('mail.demo'), pki.intermediate]) }],
    ['imap', 'imap.demo', { dialogue: 'imap', chain: Promise.all([leaf('imap.demo', { notAfter: new Date(now + 5 * DAY) }), pki.intermediate]) }],
    // An SMTP server that does not offer STARTTLS: STARTTLS_REFUSED, with its words.
    ['smtp', 'no-starttls.demo', { dialogue: 'smtp', chain: Promise.all([leaf('no-starttls.demo'), pki.intermediate]), replies: { ehlo: '250-no-starttls.demo greets you\r\n250 8BITMIME\r\n' }, then: 'wait' }],
  ];
  const servers: Pick<RunningServer, 'port' | 'close'>[] = [];
  const args: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'certcheck-demo-'));
  try {
    for (const [name, { chain, ...opts }] of scenarios) {
      const server = await startTlsServer({ ...opts, chain: await chain });
      servers.push(server);
      args.push('--resolve', `${name}:${server.port}:127.0.0.1`);
    }
    const starttlsTargets: string[] = [];
    for (const [scheme, name, { chain, ...opts }] of starttls) {
      const server = await startStarttlsServer({ ...opts, chain: await chain });
      servers.push(server);
      args.push('--resolve', `${name}:${server.port}:127.0.0.1`);
      starttlsTargets.push(`${scheme}://${name}:${server.port}`);
    }
    const caFile = join(dir, 'demo-root.pem');
    await writeFile(caFile, pki.root.pem);
    const targets = [...scenarios.map(([name], i) => `${name}:${servers[i].port}`), ...starttlsTargets];
    // Plus a port that refuses connections, one that is not TLS and one that never answers.
    const notTls = await startRawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const silent = await startRawServer(() => undefined);
    servers.push(notTls, silent);
    targets.push('127.0.0.1:1', `127.0.0.1:${notTls.port}`, `127.0.0.1:${silent.port}`);
    // A WebSocket endpoint that upgrades, and a web server that answers the upgrade with a page.
    for (const [name, mode] of [['chat.demo', 'websocket'], ['site.demo', 'plain']] as const) {
      const server = await startWebSocketServer({ chain: [await leaf(name), pki.intermediate], mode, path: '/socket' });
      servers.push(server);
      args.push('--resolve', `${name}:${server.port}:127.0.0.1`);
      targets.push(`wss://${name}:${server.port}/socket`);
    }
    process.stdout.write(`certcheck demo: ${scenarios.length + starttls.length + 2} local TLS servers (${starttls.length} of them STARTTLS, 2 for wss), trusting only ${caFile}\n\n`);
    return await main([...args, '--ca-file', caFile, '--timeout', '1500', ...process.argv.slice(2), ...targets], {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
  } finally {
    await Promise.all([...servers.map((s) => s.close()), published.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run demo -- --serve`: keeps a good server on 127.0.0.1:8443 (as good.test) and a few
 * others running, and prints the commands that check them, until interrupted.
 */
async function serve(): Promise<void> {
  const pki = await hierarchy('Demo');
  const dir = await mkdtemp(join(tmpdir(), 'certcheck-demo-'));
  const caFile = join(dir, 'demo-root.pem');
  await writeFile(caFile, pki.root.pem);
  const fixed: [string, number, TlsServerOptions['chain']][] = [
    ['good.test', 8443, [await pki.leaf({ cn: 'good.test' }), pki.intermediate]],
    ['expired.test', 8444, [await pki.leaf({ cn: 'expired.test', notBefore: new Date(Date.now() - 90 * DAY), notAfter: new Date(Date.now() - 2 * DAY) }), pki.intermediate]],
    ['missing-intermediate.test', 8445, [await pki.leaf({ cn: 'missing-intermediate.test' })]],
  ];
  for (const [name, port, chain] of fixed) {
    await startTlsServer({ chain, port });
    process.stdout.write(`npx certcheck --json --ca-file ${caFile} --resolve ${name}:${port}:127.0.0.1 ${name}:${port}\n`);
  }
  process.stdout.write('serving until interrupted (Ctrl-C)\n');
  process.on('SIGINT', () => {
    void rm(dir, { recursive: true, force: true }).then(() => process.exit(0));
  });
}

(process.argv.includes('--serve') ? serve().then(() => undefined) : demo()).then(
  (code) => {
    if (code !== undefined) process.stdout.write(`\nexit code ${code} (the worst status over all targets)\n`);
  },
  (err: unknown) => {
    process.stderr.write(`demo failed: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  },
);
