/**
 * The checking core: one target in, one report per checked address out. Resolves the name,
 * makes the handshake and the probes (lib/tls), parses and analyses the certificates
 * (lib/x509), runs every check (lib/checks) and shapes the contract's report.
 */
import type { X509Certificate } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { CHECKS, type CheckContext, type CheckInput } from './checks';
import { tlsVersions, versionProbeError } from './checks/legacy-protocol';
import { resumptionReport } from './checks/resumption';
import { revocationReport } from './checks/revocation';
import { websocketReport } from './checks/websocket';
import type { Fetch } from './revocation/http-fetch';
import { notLookedUp } from './revocation/not-looked-up';
import type { ChainEntry, Finding, LeafReport, Report, TlsReport } from './report';
import { statusOf } from './report';
import { formatTarget, type Protocol, type Target } from './target';
import { caKey } from './target-settings';
import { ConnectError, handshake, type Handshake } from './tls/connect';
import { dialerFor } from './tls/starttls';
import { probeResumption, probesFailed, probesTimedOut, startTls12Probes, type ProbeTarget, type Tls12Probes } from './tls/resume';
import { probeLegacyVersions, type LegacyVersionProbe } from './tls/version-probe';
import { mayWantWeakSuites, probeWeakSuites, type WeakSuiteObservation } from './tls/weak-suites';
import { probeWebSocketUpgrade } from './tls/websocket-upgrade';
import { certInfo, daysUntil, rfc4514, type CertInfo } from './x509/cert-info';
import { validateChain } from './x509/validate';
import type { TrustStore } from './x509/trust-store';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to its addresses; the HTTP door passes one with an address guard. */
export type Lookup = (host: string) => Promise<ResolvedAddress[]>;

export interface CheckOptions {
  timeoutMs: number;
  warnDays: number;
  criticalDays: number;
  resumption: boolean;
  resumptionAttempts: number;
  /** Make the WebSocket opening handshake of a wss target (false: --no-upgrade). */
  upgrade: boolean;
  allAddresses: boolean;
  /**
   * Whether a name's IPv6 addresses are checked. Off where the host has no IPv6 route (Lambda
   * outside a dual-stack VPC): a name with IPv4 addresses is then checked on those only.
   */
  ipv6: boolean;
  /** `host:port` → address to connect to, keeping the host for SNI and name checks. */
  resolve: ReadonlyMap<string, string>;
  trustStore: TrustStore;
  /**
   * The trust stores of a structured targets file's `ca` settings, by {@link caKey}: built once
   * per distinct file by whoever reads the list, never per target.
   */
  trustStores?: ReadonlyMap<string, TrustStore>;
  now?: () => Date;
  /**
   * Judge certificates as of this time instead of the check's (--at: "what breaks on
   * 2027-01-01?"). Revocation answers are still judged at the real time.
   */
  at?: Date;
  /** At most this many intermediates that are not self-issued (default: only the validator's depth bound). */
  maxIntermediates?: number;
  lookup?: Lookup;
  /**
   * Why an address must not be connected to, or null when it may (the HTTP door's guard).
   * Judged on the resolved addresses; the check then connects to exactly the address judged.
   */
  addressPolicy?: (address: string) => string | null;
  /** The most one target may take, in ms (default: from the timeout and the attempts). */
  deadlineMs?: number;
  /** Look up OCSP responders and CRLs (false: --no-revocation; a staple is still read). */
  revocation: boolean;
  /** The largest CRL downloaded, in bytes. */
  maxCrlBytes: number;
  /** How revocation and AIA URLs are fetched (plain HTTP by default). */
  fetch?: Fetch;
  /**
   * Told of an unexpected error that became a CHECK_FAILED report, stack and all, so the bug can
   * be found: the report carries only the message. Default: {@link internalErrorLine} on stderr.
   */
  onInternalError?: (err: unknown, target: Target) => void;
}

export const DEFAULT_CHECK_OPTIONS: Omit<CheckOptions, 'trustStore'> = {
  timeoutMs: 10_000,
  warnDays: 30,
  criticalDays: 7,
  resumption: true,
  resumptionAttempts: 3,
  upgrade: true,
  allAddresses: false,
  ipv6: true,
  resolve: new Map(),
  revocation: true,
  maxCrlBytes: 20 * 1024 * 1024,
};

/**
 * Schemes whose servers turn session resumption off by design, where probing it could only warn:
 * PostgreSQL disables both its session cache and tickets (its connections are long-lived and
 * pooled). Their resumption verdicts are `skipped`, as with --no-resumption.
 */
const NO_RESUMPTION_BY_DESIGN: ReadonlySet<Protocol> = new Set<Protocol>(['postgres']);

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

function chainEntry(info: CertInfo): ChainEntry {
  return {
    subject: info.subject,
    issuer: info.issuer,
    notAfter: info.notAfter.toISOString(),
    fingerprintSha256: info.fingerprintSha256,
  };
}

function leafReport(info: CertInfo, now: Date): LeafReport {
  return {
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    fingerprintSha256: info.fingerprintSha256,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    daysRemaining: daysUntil(info.notAfter, now),
    subjectAltNames: [...info.dnsNames, ...info.ipAddresses],
    keyAlgorithm: info.keyAlgorithm,
    keySize: info.keySize,
    signatureAlgorithm: info.signatureAlgorithm,
  };
}

/** Turns the handshake's raw certificates into what the checks read, judged at `at`. */
function inspect(target: Target, first: Pick<Handshake, 'chain'> | null, failure: CheckInput['failure'], opts: CheckOptions, at: Date): CheckInput {
  const base = {
    expectedName: nameOf(target) ?? target.host,
    expectedNameIsIp: nameOf(target) === undefined,
    failure,
    resumption: null,
    revocation: null,
    aiaIssuer: null,
  };
  if (!first || first.chain.length === 0) return { ...base, leaf: null, presented: [], chain: null, path: [] };
  const presented = first.chain.map(certInfo);
  const chain = validateChain(first.chain, opts.trustStore, { at, maxIntermediates: opts.maxIntermediates });
  return { ...base, leaf: presented[0], presented, chain, path: chain.path.map(certInfo) };
}

function buildReport(
  target: Target,
  address: string | null,
  input: CheckInput,
  tls: Report['tls'],
  started: { at: Date; ms: number },
  ctx: CheckContext,
): Report {
  const findings: Finding[] = Object.values(CHECKS).flatMap((check) => check(input, ctx));
  const websocket = websocketReport(target.protocol, input);
  return {
    schemaVersion: 1,
    target: { host: target.host, port: target.port, servername: nameOf(target) ?? null, address, protocol: target.protocol },
    checkedAt: started.at.toISOString(),
    durationMs: Math.round(performance.now() - started.ms),
    status: statusOf(findings),
    tls,
    leaf: input.leaf ? leafReport(input.leaf, ctx.now) : null,
    chain: input.chain
      ? { trusted: input.chain.trusted, presented: input.presented.map(chainEntry), path: input.path.map(chainEntry) }
      : null,
    revocation: revocationReport(input),
    resumption: resumptionReport(input),
    ...(websocket === undefined ? {} : { websocket }),
    findings,
    ...(target.settings?.labels?.length ? { labels: target.settings.labels } : {}),
  };
}

/** The name sent as SNI and checked: a structured file's `servername`, else the host name; undefined for an IP target. */
function nameOf(target: Target): string | undefined {
  return target.settings?.servername ?? (target.ipVersion === 0 ? target.host : undefined);
}

/**
 * The options for one target: a structured file's thresholds and trust where it gives them, the
 * run's otherwise. A target without settings takes `opts` as they are (the common path: no copy).
 */
export function optionsFor(target: Target, opts: CheckOptions): CheckOptions {
  const settings = target.settings;
  if (settings === undefined) return opts;
  let trustStore = opts.trustStore;
  if (settings.ca) {
    const store = opts.trustStores?.get(caKey(settings.ca));
    // Never the run's trust instead: a private CA's targets would all be judged untrusted.
    if (!store) throw new Error(`no trust store was built for the target's ca ${settings.ca.file}`);
    trustStore = store;
  }
  return { ...opts, warnDays: settings.warnDays ?? opts.warnDays, criticalDays: settings.criticalDays ?? opts.criticalDays, trustStore };
}

/** The context of the checks: `started` is when the check ran; certificates are judged at --at when given. */
function context(opts: CheckOptions, started: Date): CheckContext {
  return {
    now: opts.at ?? started,
    warnDays: opts.warnDays,
    criticalDays: opts.criticalDays,
    trustSource: opts.trustStore.source,
  };
}

/**
 * Checks one address of a target. A failure to connect is a finding; anything else that goes
 * wrong is thrown, for checkTarget to report as CHECK_FAILED.
 */
async function checkAddress(target: Target, address: string, opts: CheckOptions): Promise<Report> {
  const resumption = opts.resumption && !NO_RESUMPTION_BY_DESIGN.has(target.protocol);
  const started = { at: opts.now?.() ?? new Date(), ms: performance.now() };
  const servername = nameOf(target);
  // The name the checks use is the name the dialogue asks for (XMPP's stream `to`).
  const dial = dialerFor({ protocol: target.protocol, host: servername ?? target.host });
  const probeTarget: ProbeTarget = { address, port: target.port, dial, servername, timeoutMs: opts.timeoutMs, sessionWaitMs: Math.min(opts.timeoutMs, 1000) };
  let first: Handshake | null = null;
  let failure: CheckInput['failure'] = null;
  let tls12: Tls12Probes | undefined;
  let legacyVersions: Promise<LegacyVersionProbe> | undefined;
  let weak: WeakSuiteObservation | null = null;
  try {
    const firstHandshake = handshake({
      address,
      port: target.port,
      dial,
      servername,
      timeoutMs: opts.timeoutMs,
      collectChain: true,
      requestOcsp: true,
      sessionWaitMs: resumption ? probeTarget.sessionWaitMs : 0,
      onSecure: (protocol) => {
        if (resumption && protocol === 'TLSv1.3') tls12 = startTls12Probes(probeTarget, opts.resumptionAttempts);
      },
    });
    // Beside the first handshake, not after it (and dialed after it, so that a server taking one
    // connection at a time serves the check first): against a server that refuses TLS 1.1 it
    // costs an alert, and against one that does not answer it times out with the first.
    legacyVersions = probeLegacyVersions(probeTarget);
    first = await firstHandshake;
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    failure = { code: err.code, message: err.message };
    // A server that shares no suite with Node may still speak one it no longer has (3DES, RC4).
    if (mayWantWeakSuites(err)) weak = await probeWeakSuites(probeTarget);
  }
  if (weak) {
    failure = weak.chain.length > 0 ? null : { code: 'HANDSHAKE_FAILED', message: `the server chose ${weak.cipher}, an anonymous suite, and sent no certificate` };
  }
  const input = inspect(target, first ?? weak, failure, opts, opts.at ?? started.at);
  if (!first && weak && weak.chain.length > 0) {
    // Its certificates are judged as any others; nothing can be resumed without a handshake.
    const revocation = lookUpRevocation(input, { chain: weak.chain, ocspResponse: null }, opts, started.at).catch((err: unknown) => revocationFailed(input, err));
    if (resumption) input.resumption = probesFailed(`no handshake can be completed with ${weak.cipher}, the only suite the server chose`);
    Object.assign(input, await revocation);
  }
  if (first) {
    const revocation = lookUpRevocation(input, first, opts, started.at).catch((err: unknown) => revocationFailed(input, err));
    // On a connection of its own, beside the probes: the check's handshake offers no ALPN, and
    // its connection is closed as soon as its session is taken.
    const upgrade = target.protocol !== 'wss' ? null : opts.upgrade ? probeWebSocketUpgrade({ address, port: target.port, dial, servername, timeoutMs: opts.timeoutMs, host: target.host, path: target.path ?? '/' }) : 'skipped';
    if (resumption) {
      // A slow server must not cost the certificate findings: past their budget the probes
      // become errors, and the report stands.
      const budgetMs = opts.timeoutMs * opts.resumptionAttempts;
      const probes = probeResumption(probeTarget, first, opts.resumptionAttempts, tls12);
      input.resumption = await withDeadline(probes, budgetMs, () => probesTimedOut(budgetMs));
    }
    Object.assign(input, await revocation);
    if (upgrade !== null) input.websocket = await upgrade;
  }
  input.negotiated = first ? { protocol: first.protocol, cipher: first.cipher } : weak ? { protocol: weak.protocol, cipher: weak.cipher, incomplete: true } : null;
  input.legacyVersions = legacyVersions ? await legacyVersions : null;
  return buildReport(target, address, input, tlsReport(input), started, context(opts, started.at));
}

/** The report's `tls`: what the first handshake negotiated and what is known of each version. */
function tlsReport(input: CheckInput): TlsReport | null {
  if (!input.negotiated) return null;
  const probeError = versionProbeError(input);
  return { protocol: input.negotiated.protocol, cipher: input.negotiated.cipher, versions: tlsVersions(input), ...(probeError === null ? {} : { versionProbeError: probeError }) };
}

/**
 * One line for a log: which target, and the error's stack with its lines joined by " | " (one
 * line, so a log that splits on newlines keeps it whole).
 */
export function internalErrorLine(err: unknown, target: Target): string {
  const stack = (err instanceof Error ? err.stack ?? `${err.name}: ${err.message}` : String(err)).trim();
  return `certcheck: internal error checking ${formatTarget(target)}: ${stack.split(/\s*\n\s*/).join(' | ')}\n`;
}

/** Hands an unexpected error to the hook; the hook failing must not cost the report. */
function tellInternalError(err: unknown, target: Target, opts: CheckOptions): void {
  try {
    if (opts.onInternalError) opts.onInternalError(err, target);
    else process.stderr.write(internalErrorLine(err, target));
  } catch {
    // Nowhere left to tell it; the CHECK_FAILED report still stands.
  }
}

/** The CHECK_FAILED report of an unexpected error: its message in the report, its stack to the hook. */
function internalFailure(target: Target, address: string | null, err: unknown, opts: CheckOptions, startedMs: number): Report {
  tellInternalError(err, target, opts);
  const message = err instanceof Error ? err.message : String(err);
  return failedReport(target, address, { code: 'CHECK_FAILED', message: `the check failed: ${message}` }, opts, startedMs);
}

/**
 * Checks certificates without connecting (--chain-file, the conformance suite): the same checks
 * and report, with `tls: null` and the resumption probes skipped; revocation is looked up unless
 * `opts.revocation` is off. `name` null: no host name is asked, so none is checked. `keyMatch`:
 * whether a private key given with them belongs to the leaf (--key-file). Like
 * {@link checkTarget} it never throws: an internal error is a CHECK_FAILED report.
 */
export async function checkCertificates(
  target: Target,
  chain: X509Certificate[],
  opts: CheckOptions,
  name: string | null = target.host,
  keyMatch: CheckInput['keyMatch'] = null,
): Promise<Report> {
  const started = { at: opts.now?.() ?? new Date(), ms: performance.now() };
  try {
    const input = inspect(target, { chain }, null, opts, opts.at ?? started.at);
    input.expectedName = name;
    input.keyMatch = keyMatch;
    const looked = await lookUpRevocation(input, { chain, ocspResponse: null }, opts, started.at).catch((err: unknown) => revocationFailed(input, err));
    Object.assign(input, looked);
    return buildReport(target, null, input, null, started, context(opts, started.at));
  } catch (err) {
    return internalFailure(target, null, err, opts, started.ms);
  }
}

/** An unexpected failure of the look-ups is the leaf's unknown status, not the whole report's failure. */
function revocationFailed(input: CheckInput, err: unknown): Pick<CheckInput, 'revocation' | 'aiaIssuer'> {
  const leaf = { subject: input.leaf?.subject ?? '', role: 'leaf' as const, method: 'none' as const, revokedAt: null, reason: null, nextUpdate: null };
  return {
    revocation: { lookedUp: true, staple: { present: false, error: null }, mustStaple: false, certs: [{ ...leaf, status: 'unknown', error: `the look-up failed: ${(err as Error).message}` }] },
    aiaIssuer: null,
  };
}

let revocationCode: Promise<[typeof import('./revocation/look-up'), typeof import('./revocation/issuer-fetch'), typeof import('./revocation/http-fetch')]> | undefined;

/**
 * The revocation look-ups of the verified path (beside the probes), and, when the path stops at
 * a missing issuer, that issuer fetched by AIA to say whether it would complete the path. The
 * code that parses OCSP and CMS is loaded on first use, after the first connection is on its way.
 */
async function lookUpRevocation(input: CheckInput, first: Pick<Handshake, 'chain' | 'ocspResponse'>, opts: CheckOptions, now: Date): Promise<Pick<CheckInput, 'revocation' | 'aiaIssuer'>> {
  const chain = input.chain;
  if (!chain) return { revocation: null, aiaIssuer: null };
  const anchored = chain.end === 'trusted' || chain.end === 'invalid' || chain.end === 'untrusted-root';
  // Nothing to look up, read or fetch: the parsers need not be loaded.
  if (!opts.revocation && !first.ocspResponse && chain.end !== 'missing-issuer') return { revocation: notLookedUp(chain.path, anchored), aiaIssuer: null };
  revocationCode ??= Promise.all([import('./revocation/look-up'), import('./revocation/issuer-fetch'), import('./revocation/http-fetch')]);
  const [{ lookUpRevocation: lookUp }, { fetchIssuers }, { httpFetch }] = await revocationCode;
  const fetch = opts.fetch ?? httpFetch;
  const fetchOptions = { timeoutMs: opts.timeoutMs, lookup: opts.lookup ?? systemLookup, addressPolicy: opts.addressPolicy };
  const revocation = lookUp(chain.path, anchored, first.ocspResponse, { ...fetchOptions, lookups: opts.revocation, maxCrlBytes: opts.maxCrlBytes, fetch, now });
  let aiaIssuer: CheckInput['aiaIssuer'] = null;
  if (chain.end === 'missing-issuer') {
    const fetched = await fetchIssuers(chain.path[chain.path.length - 1], fetch, fetchOptions);
    if (fetched.length > 0) {
      const completes = validateChain(first.chain, opts.trustStore, { at: opts.at ?? now, extraIssuers: fetched }).end;
      aiaIssuer = { subject: rfc4514(fetched[0].subject), completes: completes === 'trusted' || completes === 'invalid' };
    }
  }
  return { revocation: await revocation, aiaIssuer };
}

/** A report for a target that could not be checked at all (DNS, deadline, internal error). */
function failedReport(target: Target, address: string | null, failure: NonNullable<CheckInput['failure']>, opts: CheckOptions, startedMs: number): Report {
  const at = opts.now?.() ?? new Date();
  return buildReport(target, address, inspect(target, null, failure, opts, at), null, { at, ms: startedMs }, context(opts, at));
}

/** Every address of the target, unique, in resolver order. */
async function addressesOf(target: Target, opts: CheckOptions): Promise<string[]> {
  if (target.settings?.address !== undefined) return [target.settings.address];
  if (target.ipVersion !== 0) return [target.host];
  const pinned = opts.resolve.get(`${target.host}:${target.port}`);
  if (pinned !== undefined) return [pinned];
  const found = await withDeadline((opts.lookup ?? systemLookup)(target.host), opts.timeoutMs, () => {
    throw new Error(`no answer within ${opts.timeoutMs} ms`);
  });
  const unique = [...new Set(found.map((a) => a.address))];
  if (unique.length === 0) throw new Error('no address');
  const v4 = unique.filter((a) => !a.includes(':'));
  // An IPv6-only name is still checked without IPv6, and fails with the connection's reason.
  return opts.ipv6 || v4.length === 0 ? unique : v4;
}

/**
 * The addresses to report on, each with the policy's reason to refuse it (null: check it). With
 * one address per name, a name with any refused address is refused whole: a mix of public and
 * private answers is how a rebinding attack looks.
 */
function screen(addresses: string[], opts: CheckOptions): { address: string; refused: string | null }[] {
  const judged = addresses.map((address) => ({ address, refused: opts.addressPolicy?.(address) ?? null }));
  if (opts.allAddresses) return judged;
  return [judged.find((a) => a.refused !== null) ?? judged[0]];
}

function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Checks a target: one report per checked address (one unless `allAddresses`). Never throws;
 * a DNS failure, a missed deadline or an internal error is a report with a finding.
 */
export async function checkTarget(target: Target, runOpts: CheckOptions): Promise<Report[]> {
  const startedMs = performance.now();
  let opts: CheckOptions;
  try {
    opts = optionsFor(target, runOpts);
  } catch (err) {
    return [internalFailure(target, null, err, runOpts, startedMs)];
  }
  let addresses: string[];
  try {
    addresses = await addressesOf(target, opts);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return [failedReport(target, null, { code: 'DNS_FAILED', message: `${target.host} does not resolve (${why})` }, opts, startedMs)];
  }
  // Each step has its own bound (the look-up and the handshake their timeout, the probes their
  // budget); this deadline is the last guard, should one of them not hold.
  const deadlineMs = opts.deadlineMs ?? opts.timeoutMs * (3 + (opts.resumption ? opts.resumptionAttempts : 0));
  return Promise.all(
    screen(addresses, opts).map(async ({ address, refused }) => {
      if (refused !== null) {
        return failedReport(target, address, { code: 'BLOCKED_ADDRESS', message: `refused to connect to ${address} (${refused})` }, opts, startedMs);
      }
      return withDeadline(
        checkAddress(target, address, opts).catch((err: unknown) => internalFailure(target, address, err, opts, startedMs)),
        deadlineMs,
        () => failedReport(target, address, { code: 'TIMEOUT', message: `the check did not finish within ${deadlineMs} ms` }, opts, startedMs),
      );
    }),
  );
}
