/**
 * `npm run bench`: speed and memory of the checking core against a local fleet.
 *
 * A child process serves BENCH_TARGETS distinct leaf certificates (default 1,000) by SNI on
 * a few TLS servers, sharing two intermediates as real fleets do. This process then measures,
 * in one run and with the same concurrency: bare Node TLS handshakes (no checking), checks
 * without resumption probes (one handshake plus every certificate check and the revocation
 * look-up, every leaf naming its intermediate's CRL), the same without revocation, and full checks;
 * then the CLI's cold start (process start to first connection), and the Lambda bundles: their
 * size as serverless.yml builds them, and a cold start of `httpCheck` (a fresh process loads the
 * bundle and answers events/http-check-private.json, which needs no network); last, what memory
 * and alerts add to a scheduled run: keeping a report with its previous one read (CERT_CHANGED,
 * the alert decision) against storing it alone, in a folder, and a bad day on which every target
 * alerts: the decisions and one digest to each of the five services on a local receiver; then
 * the fan-out over a local queue (test/bench-fan-out.ts) at 1,000 and BENCH_FANOUT_TARGETS
 * (20,000) targets; last, the status page of 10,000 targets (test/bench-page.ts): building it, its size, and
 * its first paint in Chromium (n/a where /usr/bin/chromium is missing); last, whole processes on the
 * same fleet (test/bench-peer.ts): Prometheus blackbox_exporter where it is installed, a bare Node
 * handshake client and the certcheck CLI. The last line is the summary.
 */
import { fork, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { AlertRun } from '../lib/alerts/alert-run';
import { DEFAULT_ALERT_THRESHOLDS } from '../lib/alerts/decide';
import { WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhookList } from '../lib/alerts/webhooks';
import { DEFAULT_CHECK_OPTIONS } from '../lib/check';
import type { Report } from '../lib/report';
import { runChecks } from '../lib/run';
import { FsReportStore } from '../lib/store/fs';
import { keepReport } from '../lib/store/keep';
import { reportTargetKey } from '../lib/store/store';
import { parseTarget, type Target } from '../lib/target';
import { TrustStore } from '../lib/x509/trust-store';
import { type Fleet, handshakeAll, median } from './bench-bare-client';
import type { FanOutResult } from './bench-fan-out';
import { peerBench, type PeerResult } from './bench-peer';
import { startHttpServer } from './fixtures/http-server';
import { generateKey, issue, issueCrl, type Issued } from './fixtures/pki';
import { startDelayingProxy, startTlsServer, type Identity } from './fixtures/tls-server';
import { startWebhookReceiver } from './fixtures/webhook-receiver';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 1000);
const SERVERS = 4;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const COLD_STARTS = 5;
const ROUNDS = 3;
const RTT_MS = 50;
const LATENCY_SAMPLES = 5;
const FANOUT_TARGETS = Number(process.env.BENCH_FANOUT_TARGETS ?? 20_000);
const PEER_ROUNDS = Number(process.env.BENCH_PEER_ROUNDS ?? 7);
/** The concurrencies measured behind the RTT_MS proxies (the default, 16, first). */
const RTT_CONCURRENCIES = [16, 32, 64, 128];


/** The child: builds the fleet, serves it, reports where, and serves until killed. */
async function serveFleet(): Promise<void> {
  const root = await issue({ cn: 'Bench Root CA', ca: true });
  const intermediates = [await issue({ cn: 'Bench Intermediate A', ca: true, issuer: root }), await issue({ cn: 'Bench Intermediate B', ca: true, issuer: root })];
  const leafKey = generateKey({ type: 'ec', curve: 'P-256' });
  // Revocation by CRL, as for most certificates in the wild: one CRL per intermediate, shared
  // by all its leaves, so the checker's cache is what is measured.
  const crls = await startHttpServer();
  for (const [i, intermediate] of intermediates.entries()) crls.serve(`/${i}.crl`, await issueCrl(intermediate, []));
  const perServer: Map<string, Identity>[] = Array.from({ length: SERVERS }, () => new Map());
  const names: [string, number][] = [];
  for (let i = 0; i < TARGETS; i++) {
    const intermediate = intermediates[i % intermediates.length];
    const name = `host-${i}.bench.test`;
    const leaf: Issued = await issue({ cn: name, issuer: intermediate, keyPair: leafKey, crlUrl: crls.url(`/${i % intermediates.length}.crl`) });
    perServer[i % SERVERS].set(name, { chain: [leaf, intermediate] });
  }
  const ports: number[] = [];
  for (const sni of perServer) {
    const first = sni.values().next().value as Identity;
    const server = await startTlsServer({ ...first, sni });
    ports.push(server.port);
  }
  for (let i = 0; i < TARGETS; i++) names.push([`host-${i}.bench.test`, ports[i % SERVERS]]);
  process.send?.({ rootPem: root.pem, names } satisfies Fleet);
}

/**
 * The child of `--proxy <port,...>`: a proxy adding RTT_MS round trip in front of each port, in a
 * process of its own (a network's delay costs the checker no CPU). Sends the proxies' ports.
 */
async function serveProxies(ports: number[]): Promise<void> {
  const proxies = await Promise.all(ports.map((port) => startDelayingProxy(port, { oneWay: RTT_MS / 2 })));
  process.send?.(proxies.map((p) => p.port));
}

/** Checks/s over the fleet behind RTT_MS proxies at each of RTT_CONCURRENCIES, full and without resumption. */
async function overRoundTrips(fleet: Fleet, targets: Target[]): Promise<{ concurrency: number; full: number; bare: number; peakRssMb: number }[]> {
  const ports = [...new Set(fleet.names.map(([, port]) => port))];
  const child = fork(__filename, ['--proxy', ports.join(',')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const proxyPorts = await new Promise<number[]>((resolve, reject) => {
      child.once('message', (message) => resolve(message as number[]));
      child.once('exit', (code) => reject(new Error(`the proxies exited with ${code}`)));
    });
    const via = new Map(ports.map((port, i) => [port, proxyPorts[i]]));
    const behind = targets.map((t) => parseTarget(`${t.host}:${via.get(t.port)}`));
    const trustStore = new TrustStore([new X509Certificate(fleet.rootPem)], 'the bench root');
    const resolve = new Map(behind.map((t) => [`${t.host}:${t.port}`, '127.0.0.1']));
    const results = [];
    for (const concurrency of RTT_CONCURRENCIES) {
      const rates: number[] = [];
      for (const resumption of [true, false]) {
        const started = performance.now();
        const reports = await runChecks(behind, { ...DEFAULT_CHECK_OPTIONS, resumption, revocation: false, resolve, trustStore, concurrency, timeoutMs: 10_000 });
        const failed = reports.filter((r) => r.status !== 'ok').length;
        if (failed > 0) throw new Error(`${failed} targets not ok behind the proxies at concurrency ${concurrency}: ${reports.find((r) => r.status !== 'ok')?.findings[0]?.message}`);
        rates.push(rate(reports.length, performance.now() - started));
      }
      results.push({ concurrency, full: rates[0], bare: rates[1], peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) });
    }
    return results;
  } finally {
    child.kill();
  }
}

function rate(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

/** Full handshakes with Node's TLS client and nothing else (the bare client), at the same concurrency. */
async function rawHandshakes(fleet: Fleet): Promise<number> {
  const started = performance.now();
  await handshakeAll(fleet.names, CONCURRENCY);
  return rate(fleet.names.length, performance.now() - started);
}

/** The rate of checks of every target; the reports themselves only when `keep` (they weigh on the peak RSS). */
async function checks(fleet: Fleet, targets: Target[], resumption: boolean, revocation = true, keep = false): Promise<{ rate: number; problems: number; reports: Report[] }> {
  const trustStore = new TrustStore([new X509Certificate(fleet.rootPem)], 'the bench root');
  const resolve = new Map(fleet.names.map(([name, port]) => [`${name}:${port}`, '127.0.0.1']));
  const started = performance.now();
  const reports = await runChecks(targets, { ...DEFAULT_CHECK_OPTIONS, resumption, revocation, resolve, trustStore, concurrency: CONCURRENCY, timeoutMs: 10_000 });
  const elapsed = performance.now() - started;
  return { rate: rate(reports.length, elapsed), problems: reports.filter((r) => r.status !== 'ok').length, reports: keep ? reports : [] };
}

/** What memory and alerts add to a scheduled run (see the top of this file). */
async function alertCost(reports: Report[]): Promise<{ storeUs: number; keepUs: number; alertRunMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'certcheck-bench-alerts-'));
  const receiver = await startWebhookReceiver();
  try {
    const store = new FsReportStore(dir);
    const copy = (r: Report): Report => ({ ...r, findings: [...r.findings] });
    let started = performance.now();
    for (const report of reports) await store.putReport(copy(report), { perAddress: false });
    const storeUs = Math.round(((performance.now() - started) * 1000) / reports.length);
    started = performance.now();
    for (const report of reports) await keepReport(store, copy(report), false);
    const keepUs = Math.round(((performance.now() - started) * 1000) / reports.length);

    const services = ['slack', 'teams', 'discord', 'googlechat', 'webhook'];
    const { webhooks } = parseWebhookList(services.map((s) => `${s}+${receiver.url(`/${s}`)}`).join(','));
    started = performance.now();
    const run = AlertRun.open({ store, webhooks, poster: new WebhookPoster(), thresholds: DEFAULT_ALERT_THRESHOLDS, now: () => new Date() });
    for (const report of reports) {
      const bad: Report = { ...report, status: 'critical', findings: [{ code: 'HOSTNAME_MISMATCH', severity: 'critical', message: `certificate is not valid for ${report.target.host}` }] };
      const key = reportTargetKey(bad, false);
      await run.consider(bad, { key, previous: report, stored: `${dir}/reports/${key}.json`, previousError: null, storeError: null, history: null, historyError: null });
    }
    const sent = await run.send();
    const alertRunMs = Math.round(performance.now() - started);
    if (sent.deliveries.some((d) => !d.ok) || receiver.posts.length !== services.length) throw new Error('the alert digest did not reach every service');
    return { storeUs, keepUs, alertRunMs };
  } finally {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Median milliseconds for one check of one target behind a proxy that adds RTT_MS. */
async function latency(fleet: Fleet, resumption: boolean): Promise<number> {
  const [name, port] = fleet.names[0];
  const proxy = await startDelayingProxy(port, { oneWay: RTT_MS / 2 });
  try {
    const trustStore = new TrustStore([new X509Certificate(fleet.rootPem)], 'the bench root');
    const target = parseTarget(`${name}:${proxy.port}`);
    const resolve = new Map([[`${name}:${proxy.port}`, '127.0.0.1']]);
    const samples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const started = performance.now();
      await runChecks([target], { ...DEFAULT_CHECK_OPTIONS, resumption, resolve, trustStore, concurrency: 1 });
      samples.push(performance.now() - started);
    }
    return Math.round(median(samples));
  } finally {
    await proxy.close();
  }
}

/** Milliseconds from spawning the CLI to its first connection reaching a local listener. */
async function coldStart(): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    let spawnedAt = 0;
    const firstConnection = new Promise<number>((resolve) => {
      const listener = createServer((socket) => {
        resolve(performance.now() - spawnedAt);
        socket.destroy();
        listener.close();
      });
      listener.listen(0, '127.0.0.1', () => {
        const address = listener.address();
        if (address === null || typeof address === 'string') throw new Error('no port');
        spawnedAt = performance.now();
        const child = spawn(process.execPath, [join(__dirname, '..', 'handlers', 'cli.js'), '--no-resumption', '--timeout', '2000', `127.0.0.1:${address.port}`], { stdio: 'ignore' });
        child.on('error', () => undefined);
      });
    });
    samples.push(await firstConnection);
  }
  return Math.round(median(samples));
}

const ROOT = join(__dirname, '..', '..');

/** Bundles both handlers as serverless.yml has serverless-esbuild do it; returns the folder and sizes in KB. */
async function lambdaBundles(): Promise<{ dir: string; kb: Record<string, number> }> {
  const dir = await mkdtemp(join(tmpdir(), 'certcheck-bundle-'));
  const kb: Record<string, number> = {};
  for (const name of ['scheduled-check', 'http-check']) {
    const outfile = join(dir, `${name}.js`);
    await build({
      entryPoints: [join(ROOT, 'handlers', `${name}.ts`)],
      bundle: true,
      minify: true,
      treeShaking: true,
      sourcemap: true,
      sourcesContent: false,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      mainFields: ['module', 'main'],
      outfile,
      logLevel: 'silent',
    });
    kb[name] = Math.round((await stat(outfile)).size / 1024);
  }
  return { dir, kb };
}

/** Milliseconds from spawning a process to the bundled httpCheck's first answer, median of COLD_STARTS. */
async function lambdaColdStart(bundleDir: string): Promise<number> {
  const script = `
    const started = Number(process.argv[1]);
    const { handler } = require(${JSON.stringify(join(bundleDir, 'http-check.js'))});
    const event = require(${JSON.stringify(join(ROOT, 'events', 'http-check-private.json'))});
    handler(event).then((r) => { if (r.statusCode !== 200) process.exit(1); process.stdout.write(String(performance.timeOrigin + performance.now() - started)); });`;
  const samples: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script, String(performance.timeOrigin + performance.now())], {
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', NODE_NO_WARNINGS: '1' },
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`the bundled handler exited with ${code}`))));
    });
    samples.push(Number(output));
  }
  return Math.round(median(samples));
}

async function bench(): Promise<void> {
  const child = fork(__filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const fleet = await new Promise<Fleet>((resolve, reject) => {
      child.once('message', (message) => resolve(message as Fleet));
      child.once('exit', (code) => reject(new Error(`the fleet server exited with ${code}`)));
    });
    const targets = fleet.names.map(([name, port]) => parseTarget(`${name}:${port}`));
    process.stdout.write(`fleet: ${targets.length} leaf certificates on ${SERVERS} local servers, concurrency ${CONCURRENCY}\n`);

    // Warm-up: the servers build each name's context on its first connection.
    await rawHandshakes(fleet);
    // Each measurement three times, interleaved, and the best kept: a shared 2-core machine is noisy.
    let raw = 0;
    let bare = 0;
    let bareNoRevocation = 0;
    const revocationCosts: number[] = [];
    let full = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await rawHandshakes(fleet);
      // With and without revocation, in turns, so that neither always runs on a warmer machine.
      const [b, n] =
        round % 2 === 1
          ? [await checks(fleet, targets, false), await checks(fleet, targets, false, false)]
          : await checks(fleet, targets, false, false).then(async (off) => [await checks(fleet, targets, false), off]);
      const f = await checks(fleet, targets, true);
      process.stdout.write(
        `round ${round}: raw handshakes ${r}/s, checks without resumption ${b.rate}/s (${b.problems} not ok), ` +
          `the same without revocation ${n.rate}/s, full checks ${f.rate}/s (${f.problems} not ok)\n`,
      );
      raw = Math.max(raw, r);
      bare = Math.max(bare, b.rate);
      bareNoRevocation = Math.max(bareNoRevocation, n.rate);
      // Paired within the round: the machine's drift between rounds cancels out.
      revocationCosts.push((n.rate - b.rate) / r);
      full = Math.max(full, f.rate);
    }
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const [fullMs, bareMs] = [await latency(fleet, true), await latency(fleet, false)];
    process.stdout.write(
      `one target at ${RTT_MS} ms round trip: full check ${fullMs} ms (${(fullMs / RTT_MS).toFixed(1)} round trips), ` +
        `without resumption ${bareMs} ms (${(bareMs / RTT_MS).toFixed(1)})\n`,
    );
    const sweep = await overRoundTrips(fleet, targets);
    process.stdout.write(
      `at ${RTT_MS} ms round trip (proxies in their own process, revocation off), checks/s by concurrency: ` +
        `${sweep.map((r) => `${r.concurrency}: ${r.full} full, ${r.bare} without resumption`).join('; ')} (peak RSS then ${sweep[sweep.length - 1].peakRssMb} MB)\n`,
    );
    const cold = await coldStart();
    process.stdout.write(`cold start (median of ${COLD_STARTS}): ${cold} ms\n`);
    const bundles = await lambdaBundles();
    const lambdaCold = await lambdaColdStart(bundles.dir).finally(() => rm(bundles.dir, { recursive: true, force: true }));
    process.stdout.write(
      `lambda bundles: scheduled-check ${bundles.kb['scheduled-check']} KB, http-check ${bundles.kb['http-check']} KB (minified, before zip); ` +
        `httpCheck cold start to first answer (median of ${COLD_STARTS}): ${lambdaCold} ms\n`,
    );
    // After the peak RSS is read: these reports are kept for the alert measurement.
    const { reports: lastReports } = await checks(fleet, targets, false, true, true);
    const alerts = await alertCost(lastReports);
    process.stdout.write(
      `memory and alerts: storing a report ${alerts.storeUs} µs, keeping it with the previous one read ${alerts.keepUs} µs (folder store); ` +
        `${lastReports.length} targets alerting at once: decisions and one digest to each of 5 services ${alerts.alertRunMs} ms\n`,
    );
    // The fan-out: plan → batches on the queue → workers → finish, at two fleet sizes (is a worker's memory flat?).
    // Loaded only now: its doors bring the SQS and S3 clients, which the peak RSS above must not count.
    const { fanOutBench } = await import('./bench-fan-out');
    const fanOut: FanOutResult[] = [];
    for (const count of [1000, FANOUT_TARGETS]) {
      const r = await fanOutBench(count);
      fanOut.push(r);
      process.stdout.write(
        `fan-out of ${r.targets} targets (${r.batches} batches, 4 workers): ${r.targetsPerSecond} targets/s from plan to finish, ` +
          `plan ${r.planMs} ms, finish ${r.finishMs} ms, worker peak RSS ${r.workerPeakRssMb} MB (the finishing worker ${r.finisherPeakRssMb} MB, the others ${r.othersPeakRssMb} MB)\n`,
      );
    }
    const big = fanOut[fanOut.length - 1];
    const { pageBench } = await import('./bench-page');
    const page = await pageBench();
    process.stdout.write(
      `status page of ${page.targets} targets: index text and page built in ${page.buildMs} ms, ${page.kb} KB; ` +
        `first contentful paint in Chromium ${page.renderMs === null ? 'n/a (no /usr/bin/chromium)' : `${page.renderMs} ms`} (medians of 3)\n`,
    );
    const peer: PeerResult = await peerBench(fleet, {
      concurrency: CONCURRENCY,
      rounds: PEER_ROUNDS,
      fullRounds: 3,
      cli: join(__dirname, '..', 'handlers', 'cli.js'),
      serverPid: child.pid,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const n = (x: number | null | undefined, digits = 0): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));
    process.stdout.write(
      `whole processes over the fleet (medians of ${PEER_ROUNDS} interleaved rounds): blackbox_exporter ${n(peer.blackbox)}/s` +
        `${peer.blackbox === null ? ' (not installed: apt-get install prometheus-blackbox-exporter)' : ''}, bare Node client ${n(peer.bare)}/s, ` +
        `certcheck CLI ${n(peer.cli)}/s without resumption and revocation (${n(peer.vsBlackbox, 2)}× blackbox_exporter, ${n(peer.vsBare, 2)}× the bare client), ` +
        `${n(peer.cliFull)}/s full (${n(peer.fullVsBare, 2)}× the bare client); CPU ms per target in the client: blackbox_exporter ${n(peer.cpuMsPerTarget.blackbox, 2)}, ` +
        `bare ${n(peer.cpuMsPerTarget.bare, 2)}, certcheck ${n(peer.cpuMsPerTarget.cli, 2)}; in the fleet's server: ${n(peer.serverCpuMsPerTarget?.blackbox, 2)}, ` +
        `${n(peer.serverCpuMsPerTarget?.bare, 2)}, ${n(peer.serverCpuMsPerTarget?.cli, 2)}\n`,
    );
    const ratio = (bare / raw).toFixed(2);
    const ratioNoRevocation = (bareNoRevocation / raw).toFixed(2);
    const revocationCost = median(revocationCosts).toFixed(2);
    process.stdout.write(
      `revocation (one cached CRL per intermediate) costs ${revocationCost} of the ratio (median of the rounds' paired differences; best ratio without: ${ratioNoRevocation})\n`,
    );
    process.stdout.write(
      `goals: ratio>=0.7 ${Number(ratio) >= 0.7 ? 'met' : 'MISSED'}, checks/s>=0.2*raw ${full >= 0.2 * raw ? 'met' : 'MISSED'}, ` +
        `peak-rss<=256 ${peakRssMb <= 256 ? 'met' : 'MISSED'}, cold-start<=300 ${cold <= 300 ? 'met' : 'MISSED'}, ` +
        `worker-peak-rss<=256 ${big.workerPeakRssMb <= 256 ? 'met' : 'MISSED'}, ` +
        `revocation-cost<=0.05 ${Number(revocationCost) <= 0.05 ? 'met' : 'MISSED'}, ` +
        `vs-blackbox>=1.2 ${peer.vsBlackbox === null ? 'n/a' : peer.vsBlackbox >= 1.2 ? 'met' : 'MISSED'}, vs-bare>=0.85 ${peer.vsBare >= 0.85 ? 'met' : 'MISSED'}, ` +
        `full-vs-bare>=0.25 ${peer.fullVsBare >= 0.25 ? 'met' : 'MISSED'}\n`,
    );
    process.stdout.write(
      `bench: checks/s=${full} bare-checks/s=${bare} raw-handshakes/s=${raw} ratio=${ratio} peak-rss-mb=${peakRssMb} targets=${targets.length} cold-start-ms=${cold} ` +
        `lambda-bundle-kb=${bundles.kb['http-check']} lambda-cold-start-ms=${lambdaCold} ratio-without-revocation=${ratioNoRevocation} revocation-cost=${revocationCost} ` +
        `keep-report-us=${alerts.keepUs} store-report-us=${alerts.storeUs} alert-run-ms=${alerts.alertRunMs} ` +
        `fanout-targets=${big.targets} worker-peak-rss-mb=${big.workerPeakRssMb} fanout-targets/s=${big.targetsPerSecond} ` +
        `page-ms=${page.buildMs} page-kb=${page.kb} page-render-ms=${page.renderMs ?? 'n/a'} ` +
        `cli-checks/s=${n(peer.cli)} cli-full-checks/s=${n(peer.cliFull)} bare-client-checks/s=${n(peer.bare)} vs-bare=${n(peer.vsBare, 2)} ` +
        `rtt-full-checks/s=${sweep.map((r) => `${r.concurrency}:${r.full}`).join(',')} ` +
        `blackbox-checks/s=${n(peer.blackbox)} vs-blackbox=${n(peer.vsBlackbox, 2)}\n`,
    );
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--proxy')) {
  serveProxies(process.argv[process.argv.indexOf('--proxy') + 1].split(',').map(Number)).catch((err: unknown) => {
    process.stderr.write(`proxies failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
} else if (process.argv.includes('--serve')) {
  serveFleet().catch((err: unknown) => {
    process.stderr.write(`fleet server failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
} else {
  bench().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
