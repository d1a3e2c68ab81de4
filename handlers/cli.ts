#!/usr/bin/env node
/**
 * The terminal door: arguments → the checking core → a table or JSON, and the contract's
 * exit code (worst status: ok 0, warning 1, critical 2, unknown 3; bad arguments 64).
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AlertRun } from '../lib/alerts/alert-run';
import { WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhook, type Webhook, WebhookError } from '../lib/alerts/webhooks';
import { checkCertificates, DEFAULT_CHECK_OPTIONS, internalErrorLine } from '../lib/check';
import type { CheckInput } from '../lib/checks';
import { countsInWords, formatIndexTable, formatRows, statusCounts, type TableRow, tableRow, useColour } from '../lib/format';
import { exitCodeOf, type Report, type Status } from '../lib/report';
import { InOrder, JsonArrayWriter, jsonArrayItem, RunTally } from '../lib/report-stream';
import { runChecks, type RunOptions } from '../lib/run';
import { checkThresholds, ConfigError, parseThresholds, s3Settings, SETTING_RANGES, settingNumber, type StoreTarget } from '../lib/config';
import { FsReportStore } from '../lib/store/fs';
import { byUrgency, worstOf } from '../lib/fleet-index';
import { keepReport } from '../lib/store/keep';
import { LINK_SECONDS, parseS3Url, type ReportStore } from '../lib/store/store';
import { DEFAULT_PROTOCOL, formatTarget, parseTarget, type Target, TargetError } from '../lib/target';
import { parseTargetEntries, type PlacedEntry } from '../lib/target-list';
import { caKey, distinctCas } from '../lib/target-settings';
import { TargetsFileError, targetsFileEntries } from '../lib/targets-file';
import { certInfo } from '../lib/x509/cert-info';
import { PEM_CERTIFICATE, TrustStore, TrustStoreError } from '../lib/x509/trust-store';

export const EXIT_USAGE = 64;

const USAGE = `usage: certcheck [options] <target...>
       certcheck --chain-file <pem> [--name <host|ip>] [--key-file <pem>] [options]
       certcheck --version | --help
       certcheck summary <dir | s3://bucket/prefix> [--json] [--only-problems]
                               the fleet as the last scheduled run left it (its index.json),
                               most urgent first, and a link to its status page on stderr;
                               exit code by the worst status
  --targets-file <file>        more targets, one a line, '#' starts a comment; or a
                               structured file (.yaml/.json) with settings per target
  --resolve <host:port:addr>   connect to addr for host:port, keep host for SNI and name checks
  --ca-file <pem>              trust exactly the CA certificates in this file
  --add-ca-file <pem>          trust these CA certificates as well as the Mozilla roots
  --warn-days <n>              default 30 (0-3650)
  --critical-days <n>          default 7 (0-3650, not above --warn-days)
  --timeout <ms>               per connection, default 10000 (100-120000)
  --concurrency <n>            targets checked at once, default 16 (1-1024)
  --resumption-attempts <n>    resumptions tried per mechanism, default 3
  --no-resumption              skip the session-resumption probes
  --no-upgrade                 skip the WebSocket upgrade of wss:// targets
  --no-revocation              skip OCSP and CRL look-ups (a stapled response is still read)
  --at <ISO time>              judge the certificates as of this time, e.g. 2027-01-01T00:00:00Z
                               (default: now; revocation answers are judged now)
  --all-addresses              check every A/AAAA address of a name, one report each
  --json                       print a JSON array of reports on stdout
  --only-problems              leave the ok targets out of the table and the JSON
                               (the exit code still counts them)
  --out <dir | s3://bucket/prefix>   also store the reports there (S3_ENDPOINT for
                               an S3-compatible server)
  --alert <url>                post alerts to this webhook (repeatable; needs --out, whose
                               stored reports and alert history decide what is new);
                               slack+, teams+, discord+, googlechat+, webhook+ name the service
                               and ops=… names the webhook (a targets file's alerts:)
  --chain-file <pem>           check a PEM bundle (leaf first, as a server sends it) without
                               connecting, e.g. a fullchain.pem before it is deployed
  --name <host|ip>             with --chain-file: the name the leaf must be valid for
                               (default: no name is checked)
  --key-file <pem>             with --chain-file: does this private key belong to the leaf?
                               (KEY_MISMATCH if not)
  --version                    print certcheck's version
  -h, --help                   print this help

targets: host, host:port, https://host[:port]/path, wss://host[:port]/path, [v6addr]:port,
  a bare IPv4 or IPv6 address; the port defaults to 443. Other schemes, with their ports:
  smtps 465, imaps 993, pop3s 995, ldaps 636, ftps 990 (TLS at once); smtp 25, submission 587,
  imap 143, pop3 110, ftp 21, ldap 389, xmpp 5222, postgres 5432 (STARTTLS first)

exit codes: 0 ok, 1 warning, 2 critical, 3 unknown (the worst over all targets);
  64 bad arguments or an unreadable file (nothing is checked); 141 output cut short (| head)

environment: S3_ENDPOINT (an S3-compatible server for --out s3://), AWS_* (credentials and
  region for S3), ALERT_THRESHOLDS (days before expiry that alert, default 30,14,7,3,1),
  NO_COLOR / FORCE_COLOR / TERM=dumb (colour)

examples:
  certcheck example.com https://www.example.org/login
  certcheck --targets-file fleet.txt --only-problems
  certcheck --json --out ./reports --targets-file fleet.txt > reports.json
  certcheck --chain-file fullchain.pem --name example.com --at 2027-01-01T00:00:00Z
  certcheck summary s3://my-reports/prod --only-problems
`;

/** certcheck's version, from its package.json (beside dist/ when built, one folder up from the sources). */
function packageVersion(): string {
  for (const path of [join(__dirname, '..', 'package.json'), join(__dirname, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'certcheck' && pkg.version) return pkg.version;
    } catch {
      // not this one: try the next
    }
  }
  return 'unknown';
}

/** The options parseArgs knows, for suggestions ("did you mean --json?"). */
function nearestOption(given: string, known: readonly string[]): string | null {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length];
  };
  let best: { option: string; d: number } | null = null;
  for (const option of known) {
    const d = option.startsWith(given) ? 1 : distance(given, option);
    if (d <= Math.max(2, Math.floor(given.length / 4)) && (best === null || d < best.d)) best = { option, d };
  }
  return best?.option ?? null;
}

/**
 * parseArgs' own messages, said for a person: `unknown option --jsn (see certcheck --help); did
 * you mean --json?`, `--timeout needs a value`.
 */
function parseArgsMessage(err: Error & { code?: string }, known: readonly string[]): string {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'(-[^']*)'/.exec(err.message)?.[1] ?? err.message;
    const near = option.startsWith('--') ? nearestOption(option, known) : null;
    return `unknown option ${option} (see certcheck --help)${near ? `; did you mean ${near}?` : ''}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[a-z-]+)/.exec(err.message)?.[1];
    if (option) return `${option} needs a value (see certcheck --help)`;
  }
  return err.message.split('\n')[0];
}

/** `--warn-days -5` is the value -5 (parseArgs would take -5 for an option): written `--warn-days=-5`. */
function joinNegativeValues(argv: readonly string[], valued: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (valued.has(argv[i]) && /^-\d/.test(argv[i + 1] ?? '')) {
      out.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} needs a whole number of at least ${min}, not "${value}"`);
  return Number(value);
}

const ISO_DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(?:Z|([+-])(\d\d):(\d\d))$/i;

/**
 * --at: an ISO 8601 date-time in the extended format with a time zone (Z or ±hh:mm): a local
 * time would name a different instant on each machine. A date or time that does not exist
 * (2027-02-30, 24:00) is refused, not rolled over as Date.parse would.
 */
function parseAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const refuse = (why = '') => new UsageError(`--at needs an ISO 8601 date-time with a time zone, such as 2027-01-01T00:00:00Z, not "${value}"${why}`);
  const m = ISO_DATE_TIME.exec(value);
  if (!m) throw refuse();
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = Number(m[6] ?? 0);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((m[7] ?? '').slice(0, 3).padEnd(3, '0')));
  const exists = date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  if (!exists) throw refuse(' (no such date or time)');
  if (m[8] === undefined) return date;
  if (Number(m[9]) > 23 || Number(m[10]) > 59) throw refuse(' (no such time zone offset)');
  const offsetMs = (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  return new Date(date.getTime() - (m[8] === '-' ? -offsetMs : offsetMs));
}

function parseResolve(entries: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const match = /^([^:]+):(\d+):(.+)$/.exec(entry);
    if (!match) throw new UsageError(`--resolve needs host:port:address, not "${entry}"`);
    const address = match[3].replace(/^\[(.*)\]$/, '$1');
    if (!isIP(address)) throw new UsageError(`--resolve: "${match[3]}" is not an IP address`);
    const target = parseTarget(`${match[1]}:${match[2]}`);
    map.set(`${target.host}:${target.port}`, address);
  }
  return map;
}

function readTargetsFile(path: string): PlacedEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read targets file ${path}: ${(err as Error).message}`);
  }
  try {
    return targetsFileEntries(path, text, (line) => `${path}:${line}`, dirname(resolvePath(path)));
  } catch (err) {
    if (err instanceof TargetsFileError) throw new UsageError(`${path}:${err.line}: ${err.message}`);
    throw err;
  }
}

/**
 * One trust store per distinct `ca` of a structured targets file, each read once: added to the
 * run's trust, or alone. A file that cannot be read is a usage error naming it and a target of it.
 */
function targetTrustStores(targets: readonly Target[], runTrust: TrustStore): Map<string, TrustStore> {
  const stores = new Map<string, TrustStore>();
  for (const ca of distinctCas(targets.map((t) => t.settings))) {
    const user = targets.find((t) => t.settings?.ca?.file === ca.file)?.input ?? '';
    if (ca.file.startsWith('s3://')) throw new UsageError(`${user}: ca ${ca.file}: the CLI reads a CA from a file (an s3:// CA is for the functions)`);
    let custom: TrustStore;
    try {
      custom = TrustStore.fromPemFile(ca.file);
    } catch (err) {
      throw new UsageError(`${user}: ca: ${(err as Error).message}`);
    }
    stores.set(caKey(ca), ca.mode === 'replace' ? custom : runTrust.plus(custom, `${runTrust.source} and ${custom.source}`));
  }
  return stores;
}

/** Every target argument and file line that is not a target, one line each (a bad line never hides the next). */
class BadTargetsError extends UsageError {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** --chain-file: certificates read from a file, checked without connecting. */
interface ChainFileRequest {
  /** The report's target: --name, else the leaf's first DNS name or CN, else "chain-file". */
  target: Target;
  chain: X509Certificate[];
  /** The name the leaf must cover; null without --name: none is checked. */
  name: string | null;
  /** Whether --key-file's private key belongs to the leaf; null without --key-file. */
  keyMatch: CheckInput['keyMatch'];
}

/** What the arguments ask for, validated; nothing has been checked yet. */
type CliRequest =
  | { help: true }
  | { help: false; version: true }
  | {
      help: false;
      version: false;
      /** --only-problems: ok targets are left out of the output (not of the exit code). */
      onlyProblems: boolean;
      /** Targets to connect to; empty with --chain-file. */
      targets: Target[];
      chainFile: ChainFileRequest | null;
      options: Omit<RunOptions, 'onReports'>;
      json: boolean;
      out: StoreTarget | undefined;
      alerts: { webhooks: Webhook[]; thresholds: number[] };
      /** What a person should know before the run (a repeated target), one line each. */
      notes: string[];
    };

/** Every certificate of a PEM file, in file order; anything else in it (a key, text) is skipped. */
function readChainFile(path: string): X509Certificate[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read chain file ${path}: ${(err as Error).message}`);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new UsageError(`chain file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw new UsageError(`certificate ${i + 1} of ${blocks.length} in chain file ${path} cannot be parsed: ${(err as Error).message}`);
    }
  });
}

/** --name: a host name or an IP address, as a target would name it, without port or scheme. */
function parseName(name: string): Target {
  const bare = name.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 0 && /[:/]/.test(name)) throw new UsageError(`--name takes a host name or an IP address, without port or scheme, not "${name}"`);
  try {
    return parseTarget(bare);
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError(`--name "${name}" is not a valid host name or IP address`);
    throw err;
  }
}

/**
 * The report's target for a chain file: what --name names, else (nothing being checked against
 * it) the leaf's first DNS name, its CN, or "chain-file", so the report still says whose it is.
 * The port is the HTTPS default: a file has none.
 */
function chainFileTarget(name: string | undefined, leaf: X509Certificate, path: string): Target {
  if (name !== undefined) return parseName(name);
  const info = certInfo(leaf);
  const host = info.dnsNames[0] || info.commonName || 'chain-file';
  const version = isIP(host);
  return { host, port: 443, protocol: DEFAULT_PROTOCOL, ipVersion: version === 4 || version === 6 ? version : 0, input: path };
}

/**
 * --key-file: whether its private key belongs to the leaf, by comparing the public key derived
 * from it with the leaf's. Read here, so the check gets only the verdict and does no file I/O.
 * PEM in PKCS#8, PKCS#1 (RSA) or SEC1 (EC); a certificate in the same file is skipped.
 */
function readKeyMatch(path: string, leaf: X509Certificate): NonNullable<CheckInput['keyMatch']> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read key file ${path}: ${(err as Error).message}`);
  }
  // OpenSSL would ask for a passphrase; say so instead of its "interrupted or cancelled".
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4,ENCRYPTED/.test(text)) {
    throw new UsageError(`key file ${path} holds an encrypted private key; certcheck reads unencrypted keys (openssl pkey -in ${path} -out key.pem asks for the passphrase)`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw new UsageError(`key file ${path} holds no private key that can be read (PEM: PKCS#8, PKCS#1 or SEC1): ${(err as Error).message}`);
  }
  try {
    return { matches: createPublicKey(key).equals(leaf.publicKey), source: path };
  } catch (err) {
    // A certificate key Node cannot load (an unusual algorithm) cannot be compared either.
    throw new UsageError(`cannot compare key file ${path} with the certificate: ${(err as Error).message}`);
  }
}

/** Options that mean a connection or a stored fleet: refused with --chain-file rather than ignored. */
const CONNECTION_ONLY = ['targets-file', 'resolve', 'all-addresses', 'out', 'alert'] as const;

/** Options that only mean something for a file, with why. */
const NEEDS_CHAIN_FILE = { name: "a connection checks the target's own name", 'key-file': "a connection cannot see the server's private key" };

/** Refuses what cannot go with --chain-file (or needs it), before any file is read. */
function checkChainFileArguments(v: Record<string, unknown>, positionals: string[]): void {
  if (v['chain-file'] === undefined) {
    for (const [option, why] of Object.entries(NEEDS_CHAIN_FILE)) {
      if (v[option] !== undefined) throw new UsageError(`--${option} applies only with --chain-file (${why})`);
    }
    return;
  }
  if (positionals.length > 0) {
    throw new UsageError(`--chain-file checks a file without connecting: leave out the target "${positionals[0]}" (--name ${positionals[0]} checks the file for that name)`);
  }
  for (const option of CONNECTION_ONLY) {
    if (v[option] !== undefined) throw new UsageError(`--${option} cannot be used with --chain-file, which checks a file without connecting or storing`);
  }
}

/** Reads --chain-file and what goes with it; null without --chain-file. */
function chainFileRequest(v: { 'chain-file'?: string; name?: string; 'key-file'?: string }): ChainFileRequest | null {
  const path = v['chain-file'];
  if (path === undefined) return null;
  const chain = readChainFile(path);
  const target = chainFileTarget(v.name, chain[0], path);
  const keyFile = v['key-file'];
  return { target, chain, name: v.name === undefined ? null : target.host, keyMatch: keyFile === undefined ? null : readKeyMatch(keyFile, chain[0]) };
}

function storeTarget(out: string | undefined): StoreTarget | undefined {
  if (out === undefined) return undefined;
  try {
    const location = parseS3Url(out);
    return location ? { kind: 's3', location } : { kind: 'dir', dir: out };
  } catch (err) {
    throw new UsageError(`--out: ${(err as Error).message}`);
  }
}

/** The store `--out` names; the S3 client is loaded only for an s3:// URL (`S3_ENDPOINT` honoured). */
async function openStore(out: StoreTarget, env: NodeJS.ProcessEnv): Promise<ReportStore> {
  if (out.kind === 'dir') return new FsReportStore(out.dir);
  const { makeS3Client, S3ReportStore } = await import('../lib/store/s3');
  return new S3ReportStore(makeS3Client(s3Settings(env)), out.location);
}

/** Every name a target's `alerts:` gives must be a webhook's (`--alert ops=https://…`, else its service): a usage error names the others. */
function checkAlertNames(targets: readonly Target[], webhooks: readonly Webhook[]): void {
  // Without --alert nothing is sent: the same fleet file serves a look without alerts.
  if (webhooks.length === 0) return;
  const names = new Set(webhooks.map((w) => w.name));
  const wrong = targets.flatMap((t) => (t.settings?.alerts ?? []).filter((name) => !names.has(name)).map((name) => `${t.input}: alerts: no webhook is named "${name}" (the --alert webhooks are named: ${[...names].join(', ')}; name one as --alert ${name}=https://…)`));
  if (wrong.length > 0) throw new BadTargetsError(wrong);
}

/** The CAs to trust: exactly --ca-file's, the Mozilla roots and --add-ca-file's, or the Mozilla roots. */
function trustStore(caFile: string | undefined, addCaFile: string | undefined): TrustStore {
  if (caFile !== undefined && addCaFile !== undefined) {
    throw new UsageError('--ca-file and --add-ca-file cannot be combined: --ca-file trusts exactly its certificates, --add-ca-file adds to the Mozilla roots');
  }
  if (caFile !== undefined) return TrustStore.fromPemFile(caFile);
  // The source is how findings name the trust ("not trusted by …"): both parts, in words.
  return addCaFile === undefined ? TrustStore.mozilla() : TrustStore.mozillaAnd(TrustStore.fromPemFile(addCaFile));
}

/** The check command's options, as parseArgs takes them. */
const CHECK_OPTIONS = {
  'targets-file': { type: 'string', multiple: true },
  resolve: { type: 'string', multiple: true },
  'ca-file': { type: 'string' },
  'add-ca-file': { type: 'string' },
  'warn-days': { type: 'string' },
  'critical-days': { type: 'string' },
  timeout: { type: 'string' },
  concurrency: { type: 'string' },
  'resumption-attempts': { type: 'string' },
  'no-resumption': { type: 'boolean' },
  'no-upgrade': { type: 'boolean' },
  'no-revocation': { type: 'boolean' },
  at: { type: 'string' },
  'all-addresses': { type: 'boolean' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  alert: { type: 'string', multiple: true },
  'chain-file': { type: 'string' },
  name: { type: 'string' },
  'key-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  'only-problems': { type: 'boolean' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Parses and validates every argument; throws a one-line error for anything wrong. */
function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliRequest {
  const valued = new Set(Object.entries(CHECK_OPTIONS).flatMap(([name, o]: [string, { type: string }]) => (o.type === 'string' ? [`--${name}`] : [])));
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, valued), allowPositionals: true, strict: true, options: CHECK_OPTIONS });
  } catch (err) {
    if (!(err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw err;
    throw new UsageError(parseArgsMessage(err as Error, Object.keys(CHECK_OPTIONS).map((o) => `--${o}`)));
  }
  const { values: v, positionals } = parsed;
  if (v.version) return { help: false, version: true };
  if (v.help) return { help: true };
  checkChainFileArguments(v, positionals);
  const inputs = [...positionals.map((value, i) => ({ value, where: `argument ${i + 1}` })), ...(v['targets-file'] ?? []).flatMap(readTargetsFile)];
  if (inputs.length === 0 && v['chain-file'] === undefined) throw new UsageError('no target given (try certcheck example.com, or --chain-file fullchain.pem)');
  const { targets, bad, duplicates, pins } = parseTargetEntries(inputs);
  // A bad argument is named by its message alone; a file's line by file:line.
  if (bad.length > 0) throw new BadTargetsError(bad.map((b) => (b.where.startsWith('argument ') ? b.reason : `${b.where}: ${b.reason}`)));
  const notes = duplicates.map((d) => `${d.entry} (${d.where}) is the same target as ${d.first}: checked once`);
  const webhooks = (v.alert ?? []).map(parseWebhook);
  checkAlertNames(targets, webhooks);
  if (webhooks.length > 0 && v.out === undefined) {
    throw new UsageError('--alert needs --out <dir | s3://bucket/prefix>: the reports and alert history stored there decide what is new');
  }
  const runTrust = trustStore(v['ca-file'], v['add-ca-file']);
  const trustStores = targetTrustStores(targets, runTrust);
  const warnDays = settingNumber('--warn-days', v['warn-days'], 30, SETTING_RANGES.warnDays);
  const criticalDays = settingNumber('--critical-days', v['critical-days'], 7, SETTING_RANGES.criticalDays);
  checkThresholds({ name: '--warn-days', days: warnDays }, { name: '--critical-days', days: criticalDays });
  return {
    help: false,
    version: false,
    onlyProblems: v['only-problems'] === true,
    targets,
    notes,
    chainFile: chainFileRequest(v),
    json: v.json === true,
    out: storeTarget(v.out),
    alerts: { webhooks, thresholds: webhooks.length > 0 ? parseThresholds(env.ALERT_THRESHOLDS) : [] },
    options: {
      ...DEFAULT_CHECK_OPTIONS,
      warnDays,
      criticalDays,
      timeoutMs: settingNumber('--timeout', v.timeout, 10_000, SETTING_RANGES.timeoutMs),
      concurrency: settingNumber('--concurrency', v.concurrency, 16, SETTING_RANGES.concurrency),
      resumptionAttempts: positiveInt('resumption-attempts', v['resumption-attempts'], 3),
      resumption: !v['no-resumption'],
      upgrade: !v['no-upgrade'],
      revocation: !v['no-revocation'],
      allAddresses: v['all-addresses'] === true,
      // A list line's pin (`host:port @10.0.0.7`), and --resolve over it.
      resolve: new Map([...pins, ...parseResolve(v.resolve ?? [])]),
      at: parseAt(v.at),
      trustStore: runTrust,
      trustStores,
    },
  };
}

function isUsageError(err: unknown): err is Error {
  return (
    err instanceof UsageError ||
    err instanceof TargetError ||
    err instanceof TrustStoreError ||
    err instanceof WebhookError ||
    err instanceof ConfigError ||
    ((err as { code?: unknown }).code as string | undefined)?.startsWith?.('ERR_PARSE_ARGS') === true
  );
}

/** `certcheck summary <where>`: the stored index as a table (or JSON), most urgent first. */
async function summary(argv: string[], io: CliIo): Promise<number> {
  let where: StoreTarget | undefined;
  let values: { json?: boolean; 'only-problems'?: boolean };
  try {
    const parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { json: { type: 'boolean' }, 'only-problems': { type: 'boolean' } } });
    values = parsed.values;
    if (parsed.positionals.length !== 1) throw new UsageError('summary needs one place: certcheck summary <dir | s3://bucket/prefix>');
    where = storeTarget(parsed.positionals[0]);
  } catch (err) {
    if (!isUsageError(err)) throw err;
    io.stderr.write(`certcheck: ${err.message.split('\n')[0]}\n`);
    return EXIT_USAGE;
  }
  const store = await openStore(where as StoreTarget, io.env);
  let index;
  try {
    index = await store.getIndex();
  } catch (err) {
    io.stderr.write(`certcheck: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (index === null) {
    io.stderr.write(`certcheck: no index.json in ${store.location}: the scheduled check writes it after each run\n`);
    return EXIT_USAGE;
  }
  const entries = [...index.targets].sort(byUrgency);
  const shown = values['only-problems'] ? entries.filter((e) => e.status !== 'ok') : entries;
  if (values.json) io.stdout.write(`${JSON.stringify({ ...index, targets: shown }, null, 2)}\n`);
  else {
    io.stdout.write(formatIndexTable(shown, useColour(io.stdout, io.env)));
    io.stderr.write(`certcheck: ${entries.length} targets as of the run of ${index.runStartedAt}: ${statusCounts(entries)}\n`);
    try {
      const page = await store.pageLink(LINK_SECONDS);
      io.stderr.write(`status page: ${page.url}${page.expiresAt === null ? '' : ` (link valid until ${page.expiresAt})`}\n`);
    } catch (err) {
      io.stderr.write(`certcheck: no link to the status page: ${(err as Error).message.split('\n')[0]}\n`);
    }
  }
  return exitCodeOf(worstOf(entries));
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'summary') return summary(argv.slice(1), io);
  let request: CliRequest;
  try {
    request = parseCli(argv, io.env);
  } catch (err) {
    if (!isUsageError(err)) throw err;
    const lines = err instanceof BadTargetsError ? err.lines : [err.message.split('\n')[0]];
    io.stderr.write(lines.map((line) => `certcheck: ${line}\n`).join(''));
    return EXIT_USAGE;
  }
  if (request.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (request.version) {
    io.stdout.write(`certcheck ${packageVersion()}\n`);
    return 0;
  }
  for (const note of request.notes) io.stderr.write(`certcheck: ${note}\n`);
  // The stack of an internal error goes where this run's errors go, never into the report.
  const started = performance.now();
  const options = { ...request.options, onInternalError: (err: unknown, target: Target) => io.stderr.write(internalErrorLine(err, target)) };
  const file = request.chainFile;
  // Each report is written (JSON) or cut down to its row (the table) as it comes, in input order.
  const output = new RunOutput(request, io);
  let notStored = 0;
  if (file) {
    await output.put(0, [await checkCertificates(file.target, file.chain, options, file.name, file.keyMatch)]);
  } else {
    const checked = await checkTargets(request, options, io, output);
    if (checked === null) return EXIT_USAGE;
    notStored = checked.notStored;
  }
  output.end();
  const { tally } = output;
  // One closing line for a person at a terminal: the counts, the slowest target, the time.
  if (io.stderr.isTTY === true && tally.count > 1) io.stderr.write(`certcheck: ${closingLine(tally, performance.now() - started)}\n`);
  if (notStored > 0) return EXIT_NOT_STORED;
  return exitCodeOf(tally.worst);
}

/** Reports were checked but some could not be stored (sysexits' EX_IOERR): the run's other outcome is on stdout. */
export const EXIT_NOT_STORED = 74;

/** "12 targets in 3.4 s: 1 critical, 0 unknown, 2 warning, 9 ok; slowest example.com:443 (2.1 s)". */
function closingLine(tally: RunTally, ms: number): string {
  const seconds = (n: number): string => `${(n / 1000).toFixed(1)} s`;
  const slowest = tally.slowest ?? { where: '-', durationMs: 0 };
  return `${tally.count} reports in ${seconds(ms)}: ${countsInWords(tally.counts)}; slowest ${slowest.where} (${seconds(slowest.durationMs)})`;
}

/**
 * At most this many targets' reports wait for an earlier target's (one slow target among fast
 * ones) before the workers pause: each is held as its JSON text (about 3 KB) or table row.
 */
const WAITING_TARGETS = 4096;

/** What the output keeps of a report until its turn: the tallies' few fields and what is printed of it. */
interface Outcome {
  status: Status;
  durationMs: number;
  target: Report['target'];
  /** Its JSON text (--json) or its table row; null when it is not shown (--only-problems). */
  shown: string | TableRow | null;
}

/** Resolves once `stream` can take more (a slow reader of a pipe), or at once; one wait however many workers ask. */
function drainer(stream: CliIo['stdout']): () => Promise<void> {
  const writable = stream as NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean };
  let waiting: Promise<void> | null = null;
  return () => {
    if (writable.writableNeedDrain !== true || writable.destroyed === true) return Promise.resolve();
    waiting ??= new Promise<void>((resolve) => {
      const done = (): void => {
        for (const event of ['drain', 'close', 'error']) writable.off(event, done);
        waiting = null;
        resolve();
      };
      for (const event of ['drain', 'close', 'error']) writable.once(event, done);
    });
    return waiting;
  };
}

/**
 * The run's output as reports come, in input order: the JSON array written report by report, or
 * the table's rows kept (their columns are sized on the widest cell); and the tallies for the
 * exit code and the closing line. No report is held once it has been handed over.
 */
class RunOutput {
  readonly tally = new RunTally();
  private readonly rows: TableRow[] = [];
  private readonly json: JsonArrayWriter | null;
  private readonly order: InOrder<Outcome[]>;
  private readonly color: boolean;
  private readonly drained: () => Promise<void>;

  constructor(
    private readonly request: { json: boolean; onlyProblems: boolean },
    private readonly io: CliIo,
  ) {
    this.color = useColour(io.stdout, io.env);
    this.json = request.json ? new JsonArrayWriter((text) => io.stdout.write(text)) : null;
    this.order = new InOrder((outcomes) => outcomes.forEach((outcome) => this.emit(outcome)), WAITING_TARGETS);
    this.drained = drainer(io.stdout);
  }

  /** One target's reports (`position`: its place in the list), once stored: waits while too many wait or stdout is full. */
  async put(position: number, reports: readonly Report[]): Promise<void> {
    const outcomes = reports.map((r) => {
      const shown = this.request.onlyProblems && r.status === 'ok' ? null : this.json ? jsonArrayItem(r) : tableRow(r, this.color);
      return { status: r.status, durationMs: r.durationMs, target: r.target, shown };
    });
    await this.order.put(position, outcomes);
    await this.drained();
  }

  private emit(outcome: Outcome): void {
    this.tally.add(outcome.status, outcome.durationMs, () => formatTarget(outcome.target));
    if (outcome.shown === null) return;
    if (typeof outcome.shown === 'string') this.json?.add(outcome.shown);
    else this.rows.push(outcome.shown);
  }

  /** Closes the JSON array, or writes the table. */
  end(): void {
    if (this.json) this.json.end();
    else this.io.stdout.write(formatRows(this.rows, this.color));
  }
}

/**
 * Connects to every target: progress on a terminal, reports stored and alerts sent as --out and
 * --alert say. Null when the store cannot be written (said on stderr; nothing was checked).
 */
async function checkTargets(
  request: Extract<CliRequest, { version: false }>,
  options: Omit<RunOptions, 'onReports'>,
  io: CliIo,
  output: RunOutput,
): Promise<{ notStored: number } | null> {
  const { targets } = request;
  const store = request.out ? await openStore(request.out, io.env) : null;
  if (store) {
    try {
      await store.checkWritable();
    } catch (err) {
      io.stderr.write(`certcheck: cannot store reports in ${store.location}: ${(err as Error).message}\n`);
      return null;
    }
  }
  const { webhooks, thresholds } = request.alerts;
  const alertRun =
    store && webhooks.length > 0 ? AlertRun.open({ store, webhooks, poster: new WebhookPoster(), thresholds, now: () => new Date() }) : null;
  const progress = io.stderr.isTTY === true && targets.length > 1;
  // A line said while the progress line shows replaces it (the next update draws it again).
  const say = (line: string): void => {
    io.stderr.write(`${progress ? '\r\x1b[K' : ''}certcheck: ${line}\n`);
  };
  let done = 0;
  // Store problems are counted and said once each at the end, not once per report.
  const problems = new Map<string, { count: number; first: string }>();
  const tally = (what: string, error: string | null): void => {
    if (error === null) return;
    const seen = problems.get(what);
    if (seen) seen.count += 1;
    else problems.set(what, { count: 1, first: error });
  };
  await runChecks(targets, {
    ...options,
    // Each report goes to the output once stored, and is not kept here.
    collect: false,
    onReports: async (batch, index) => {
      done += 1;
      if (progress) io.stderr.write(`\rchecked ${done}/${targets.length}`);
      try {
        if (!store) return;
        for (const report of batch) {
          const kept = await keepReport(store, report, options.allAddresses);
          tally(`report(s) not stored in ${store.location} (exit ${EXIT_NOT_STORED})`, kept.storeError);
          tally(`previous report(s) not read (CERT_CHANGED and alerts judged without them)`, kept.previousError);
          tally(`history rollup(s) not kept`, kept.historyError);
          await alertRun?.consider(report, kept, targets[index].settings?.alerts);
        }
      } finally {
        // Even after a failure above: a target missing from the output would hold back every later one.
        await output.put(index, batch);
      }
    },
  });
  if (progress) io.stderr.write('\r\x1b[K');
  if (alertRun) {
    const sent = await alertRun.send();
    for (const d of sent.deliveries) {
      say(`${d.ok ? `alert sent to ${d.sink}` : `alert to ${d.sink} not delivered after ${d.attempts} attempt(s): ${d.error}`}`);
    }
    for (const error of sent.errors) say(error);
  }
  for (const [what, { count, first }] of problems) say(`${count} of ${output.tally.count} ${what}; the first error: ${first}`);
  const notStored = [...problems].find(([what]) => what.startsWith('report(s) not stored'))?.[1].count ?? 0;
  return { notStored };
}

/** The exit code of a writer whose reader went away (128 + SIGPIPE), as for any Unix tool cut by `| head`. */
const EXIT_BROKEN_PIPE = 141;

if (require.main === module) {
  // A reader that closes the pipe early (`| head`) ends the output, not the run: every report is
  // still stored and alerted on (the JSON is written as the run goes), then the exit code says so.
  let brokenPipe = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    brokenPipe = true;
    process.exitCode = EXIT_BROKEN_PIPE;
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = brokenPipe ? EXIT_BROKEN_PIPE : code;
    },
    (err: unknown) => {
      process.stderr.write(`certcheck: internal error: ${(err as Error).message}\n`);
      process.exitCode = 3;
    },
  );
}
