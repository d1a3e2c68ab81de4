/**
 * certcheck against its peer, whole processes on the same fleet in the same run: Prometheus
 * blackbox_exporter (Debian's `prometheus-blackbox-exporter`, started here on 127.0.0.1 with a
 * config this file writes: one `tcp` module with `tls: true` per target, for its SNI name, and
 * the fleet's root as CA), a bare Node client doing only the TLS handshakes (one shared context),
 * and the certcheck CLI as a user runs it (`--targets-file` of pinned lines, `--ca-file`),
 * from spawn to exit. Rounds are interleaved (the order turns each round) and the ratios are
 * paired within a round, then the median taken: a shared 2-core machine drifts.
 *
 * Used by test/bench.ts (its last line); `node dist/test/bench-peer.js` runs it alone on a fleet
 * of its own (BENCH_TARGETS, BENCH_CONCURRENCY, BENCH_PEER_ROUNDS).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fleet, median } from './bench-bare-client';

export const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';

/** The bare client as a process of its own (test/bench-bare-client.ts, built beside this file). */
const BARE_CLIENT = join(__dirname, 'bench-bare-client.js');

export interface PeerRound {
  blackbox: number | null;
  bare: number;
  cli: number;
}

export interface PeerResult {
  rounds: PeerRound[];
  /** Medians of the rounds' rates, checks/s. */
  blackbox: number | null;
  bare: number;
  cli: number;
  /** Median of the paired ratios certcheck CLI / blackbox_exporter (null without it). */
  vsBlackbox: number | null;
  /** Median of the paired ratios certcheck CLI / bare Node client. */
  vsBare: number;
  /** CPU milliseconds per target in each client's process (medians). */
  cpuMsPerTarget: { blackbox: number | null; bare: number; cli: number };
  /** CPU milliseconds per target in the fleet's server while each client ran (medians; null without serverPid). */
  serverCpuMsPerTarget: { blackbox: number | null; bare: number; cli: number } | null;
  /** Full checks (resumption and revocation on) of the CLI, checks/s, median of the full rounds. */
  cliFull: number;
  /** The full checks' rate over the bare client's of the same round (median). */
  fullVsBare: number;
}

/** User + system CPU of a running process, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address !== null && typeof address !== 'string' ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A module per target: blackbox's tcp prober takes its SNI name from the module (the target is 127.0.0.1:port). */
function blackboxConfig(fleet: Fleet, caFile: string): string {
  const lines = ['modules:'];
  fleet.names.forEach(([name], i) => {
    lines.push(`  t${i}:`, '    prober: tcp', '    timeout: 10s', '    tcp:', '      tls: true', '      tls_config:', `        ca_file: ${caFile}`, `        server_name: ${name}`);
  });
  return `${lines.join('\n')}\n`;
}

interface Blackbox {
  port: number;
  pid: number;
  stop(): void;
}

async function startBlackbox(dir: string, fleet: Fleet, caFile: string): Promise<Blackbox> {
  const config = join(dir, 'blackbox.yml');
  await writeFile(config, blackboxConfig(fleet, caFile));
  const port = await freePort();
  const child = spawn(BLACKBOX, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`blackbox_exporter exited: ${errors.trim()}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/-/healthy' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (up) return { port, pid: child.pid ?? 0, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('blackbox_exporter did not come up');
}

/** Probes every target through blackbox_exporter's /probe, `concurrency` at once; checks/s. Every probe must succeed. */
async function blackboxRound(box: Blackbox, fleet: Fleet, concurrency: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failed = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < fleet.names.length) {
      const i = next++;
      const [, port] = fleet.names[i];
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: box.port, path: `/probe?module=t${i}&target=127.0.0.1:${port}`, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      if (!/^probe_success 1$/m.test(body)) failed++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  agent.destroy();
  if (failed > 0) throw new Error(`blackbox_exporter: ${failed} of ${fleet.names.length} probes failed`);
  return (fleet.names.length / ms) * 1000;
}

/** Writes process.cpuUsage() (ms) to the file in CERTCHECK_BENCH_CPU_FILE at exit; preloaded with --require. */
const CPU_REPORTER = `
process.on('exit', () => {
  const u = process.cpuUsage();
  require('node:fs').writeFileSync(process.env.CERTCHECK_BENCH_CPU_FILE, String((u.user + u.system) / 1000));
});
`;

/**
 * The Node clients' environment: this one without NODE_EXTRA_CA_CERTS, which makes every Node
 * process read and parse that file before any script runs (about 100 ms of CPU for a system
 * bundle) and which neither client uses: a cost of the machine, not of either client.
 */
function nodeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Runs a Node process to its end; its wall-clock checks/s from spawn to exit and its CPU ms. */
async function timedNode(args: string[], count: number, dir: string): Promise<{ rate: number; cpuMs: number }> {
  const cpuFile = join(dir, 'cpu.txt');
  await rm(cpuFile, { force: true });
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['--require', join(dir, 'cpu-reporter.js'), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...nodeEnv(), CERTCHECK_BENCH_CPU_FILE: cpuFile, NO_COLOR: '1' },
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const ms = performance.now() - started;
  // The CLI's exit code says the fleet's state (0: all ok); anything else is a failed round.
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}: ${errors.trim().slice(0, 500)}`);
  return { rate: (count / ms) * 1000, cpuMs: Number(readFileSync(cpuFile, 'utf8')) };
}

export interface PeerOptions {
  concurrency: number;
  rounds: number;
  /** Rounds of full checks (resumption and revocation on), interleaved with the first ones. */
  fullRounds: number;
  /** dist/handlers/cli.js */
  cli: string;
  /** The fleet server's process, to read its CPU while each client runs (Linux /proc). */
  serverPid?: number;
  log?: (line: string) => void;
}

/** The peer comparison over `fleet` (already served). blackbox_exporter is left out where it is not installed. */
export async function peerBench(fleet: Fleet, opts: PeerOptions): Promise<PeerResult> {
  const dir = await mkdtemp(join(tmpdir(), 'certcheck-bench-peer-'));
  const log = opts.log ?? (() => undefined);
  const count = fleet.names.length;
  const caFile = join(dir, 'root.pem');
  const targetsFile = join(dir, 'targets.txt');
  const namesFile = join(dir, 'names.json');
  await writeFile(caFile, fleet.rootPem);
  await writeFile(targetsFile, fleet.names.map(([name, port]) => `${name}:${port} @127.0.0.1\n`).join(''));
  await writeFile(namesFile, JSON.stringify(fleet.names));
  await writeFile(join(dir, 'cpu-reporter.js'), CPU_REPORTER);
  const box = existsSync(BLACKBOX) ? await startBlackbox(dir, fleet, caFile) : null;
  const cliArgs = (full: boolean): string[] => [
    opts.cli,
    ...(full ? [] : ['--no-resumption', '--no-revocation']),
    '--ca-file',
    caFile,
    '--targets-file',
    targetsFile,
    '--concurrency',
    String(opts.concurrency),
    '--json',
  ];
  try {
    // Warm-up: the fleet's servers build each name's context on its first connection, and
    // blackbox_exporter its modules' TLS configs.
    await timedNode([BARE_CLIENT, namesFile, String(opts.concurrency)], count, dir);
    if (box) await blackboxRound(box, fleet, opts.concurrency);
    const rounds: PeerRound[] = [];
    const cpu = { blackbox: [] as number[], bare: [] as number[], cli: [] as number[] };
    const serverCpu = { blackbox: [] as number[], bare: [] as number[], cli: [] as number[] };
    const serverPid = opts.serverPid;
    /** Runs a step, adding the fleet server's CPU per target during it to `into`. */
    const watched = async (into: number[], step: () => Promise<void>): Promise<void> => {
      const before = serverPid === undefined ? 0 : cpuMsOf(serverPid);
      await step();
      if (serverPid !== undefined) into.push((cpuMsOf(serverPid) - before) / count);
    };
    const full: { rate: number; bare: number }[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const result: PeerRound = { blackbox: null, bare: 0, cli: 0 };
      const steps: (() => Promise<void>)[] = [
        () =>
          watched(serverCpu.bare, async () => {
            const r = await timedNode([BARE_CLIENT, namesFile, String(opts.concurrency)], count, dir);
            result.bare = r.rate;
            cpu.bare.push(r.cpuMs / count);
          }),
        () =>
          watched(serverCpu.cli, async () => {
            const r = await timedNode(cliArgs(false), count, dir);
            result.cli = r.rate;
            cpu.cli.push(r.cpuMs / count);
          }),
      ];
      if (box) {
        steps.push(() =>
          watched(serverCpu.blackbox, async () => {
            const before = cpuMsOf(box.pid);
            result.blackbox = await blackboxRound(box, fleet, opts.concurrency);
            cpu.blackbox.push((cpuMsOf(box.pid) - before) / count);
          }),
        );
      }
      // A different order each round: none always runs first on a cool machine.
      for (let i = 0; i < steps.length; i++) await steps[(i + round) % steps.length]();
      rounds.push(result);
      log(
        `peer round ${round + 1}: blackbox_exporter ${result.blackbox === null ? 'n/a' : Math.round(result.blackbox)}/s, ` +
          `bare Node client ${Math.round(result.bare)}/s, certcheck CLI without resumption and revocation ${Math.round(result.cli)}/s`,
      );
      if (round < opts.fullRounds) {
        const f = await timedNode(cliArgs(true), count, dir);
        full.push({ rate: f.rate, bare: result.bare });
        log(`peer round ${round + 1}: certcheck CLI full checks ${Math.round(f.rate)}/s`);
      }
    }
    const withBox = rounds.filter((r) => r.blackbox !== null);
    return {
      rounds,
      blackbox: withBox.length > 0 ? median(withBox.map((r) => r.blackbox as number)) : null,
      bare: median(rounds.map((r) => r.bare)),
      cli: median(rounds.map((r) => r.cli)),
      vsBlackbox: withBox.length > 0 ? median(withBox.map((r) => r.cli / (r.blackbox as number))) : null,
      vsBare: median(rounds.map((r) => r.cli / r.bare)),
      cpuMsPerTarget: { blackbox: cpu.blackbox.length > 0 ? median(cpu.blackbox) : null, bare: median(cpu.bare), cli: median(cpu.cli) },
      serverCpuMsPerTarget:
        serverPid === undefined
          ? null
          : { blackbox: serverCpu.blackbox.length > 0 ? median(serverCpu.blackbox) : null, bare: median(serverCpu.bare), cli: median(serverCpu.cli) },
      cliFull: full.length > 0 ? median(full.map((f) => f.rate)) : 0,
      fullVsBare: full.length > 0 ? median(full.map((f) => f.rate / f.bare)) : 0,
    };
  } finally {
    box?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Alone: serve a fleet with test/bench.ts's server, compare, print. */
async function alone(): Promise<void> {
  const server = fork(join(__dirname, 'bench.js'), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const fleet = await new Promise<Fleet>((resolve, reject) => {
      server.once('message', (message) => resolve(message as Fleet));
      server.once('exit', (code) => reject(new Error(`the fleet server exited with ${code}`)));
    });
    const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
    const rounds = Number(process.env.BENCH_PEER_ROUNDS ?? 7);
    const r = await peerBench(fleet, {
      concurrency,
      rounds,
      fullRounds: Math.min(3, rounds),
      cli: join(__dirname, '..', 'handlers', 'cli.js'),
      serverPid: server.pid,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const s = r.serverCpuMsPerTarget;
    process.stdout.write(
      `peer: blackbox-checks/s=${r.blackbox === null ? 'n/a' : Math.round(r.blackbox)} bare-client-checks/s=${Math.round(r.bare)} cli-checks/s=${Math.round(r.cli)} ` +
        `vs-blackbox=${r.vsBlackbox === null ? 'n/a' : r.vsBlackbox.toFixed(2)} vs-bare=${r.vsBare.toFixed(2)} cli-full-checks/s=${Math.round(r.cliFull)} full-vs-bare=${r.fullVsBare.toFixed(2)} ` +
        `cpu-ms-per-target: blackbox=${r.cpuMsPerTarget.blackbox?.toFixed(2) ?? 'n/a'} bare=${r.cpuMsPerTarget.bare.toFixed(2)} cli=${r.cpuMsPerTarget.cli.toFixed(2)} ` +
        `fleet-server-cpu-ms-per-target: blackbox=${s?.blackbox?.toFixed(2) ?? 'n/a'} bare=${s?.bare.toFixed(2) ?? 'n/a'} cli=${s?.cli.toFixed(2) ?? 'n/a'}\n`,
    );
  } finally {
    server.kill();
  }
}

if (require.main === module) {
  alone().catch((err: unknown) => {
    process.stderr.write(`bench-peer failed: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
