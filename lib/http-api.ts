/**
 * The HTTP API of ../shared/CONTRACT.md, apart from API Gateway's event shapes: a request in,
 * a status and a JSON body out. `GET /check`, `POST /check` and `GET /reports/latest`.
 */
import { isIP } from 'node:net';
import { blockedReason } from './address-policy';
import { DEFAULT_CHECK_OPTIONS } from './check';
import type { HttpConfig } from './config';
import type { Report } from './report';
import { runChecks } from './run';
import { findLatest, type ReportStore } from './store/store';
import { parseTarget, type Target } from './target';
import type { TrustStore } from './x509/trust-store';

/** The most targets one `POST /check` may name. */
export const MAX_TARGETS = 20;
/** Time kept back from the function's own limit for shaping and sending the answer. */
const ANSWER_MARGIN_MS = 3_000;

export interface HttpRequest {
  method: string;
  /** The route as configured (`/check`, `/reports/latest`), without stage or base path. */
  route: string;
  query: Readonly<Record<string, string | undefined>>;
  body: string | null;
}

export interface HttpAnswer {
  statusCode: number;
  body: unknown;
}

export interface HttpDeps {
  config: HttpConfig;
  trustStore: TrustStore;
  /** The reports store, opened only for `GET /reports/latest`. */
  store: () => Promise<ReportStore>;
  /** Milliseconds the function has left (Lambda's getRemainingTimeInMillis). */
  remainingMs?: () => number;
  now?: () => Date;
}

/** A refusal with its HTTP status and the contract's `{ error: { code, message } }`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function targetOf(raw: unknown, where: string): Target {
  if (typeof raw !== 'string' || raw.trim() === '') throw new HttpError(400, 'MISSING_TARGET', `${where} needs a target, such as example.com:443`);
  try {
    return parseTarget(raw);
  } catch (err) {
    throw new HttpError(400, 'BAD_TARGET', `${where}: ${(err as Error).message}`);
  }
}

function targetsOfBody(body: string | null): Target[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'the body must be JSON: {"targets": ["example.com", ...]}');
  }
  const targets = (parsed as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new HttpError(400, 'BAD_REQUEST', 'the body must name its targets: {"targets": ["example.com", ...]}');
  }
  if (targets.length > MAX_TARGETS) throw new HttpError(400, 'TOO_MANY_TARGETS', `at most ${MAX_TARGETS} targets a request, not ${targets.length}`);
  return targets.map((raw, i) => targetOf(raw, `targets[${i}]`));
}

async function check(targets: Target[], deps: HttpDeps): Promise<Report[]> {
  const { config } = deps;
  const remaining = deps.remainingMs?.();
  return runChecks(targets, {
    ...DEFAULT_CHECK_OPTIONS,
    timeoutMs: config.timeoutMs,
    warnDays: config.warnDays,
    criticalDays: config.criticalDays,
    trustStore: deps.trustStore,
    allAddresses: false,
    ipv6: config.ipv6,
    addressPolicy: config.allowPrivateTargets ? undefined : blockedReason,
    deadlineMs: remaining === undefined ? undefined : Math.max(1_000, remaining - ANSWER_MARGIN_MS),
    concurrency: MAX_TARGETS,
    now: deps.now,
  });
}

async function latest(query: HttpRequest['query'], deps: HttpDeps): Promise<HttpAnswer> {
  const target = targetOf(query.target, 'GET /reports/latest');
  const address = query.address;
  if (address !== undefined && !isIP(address)) throw new HttpError(400, 'BAD_REQUEST', `address "${address}" is not an IP address`);
  const report = await findLatest(await deps.store(), target.host, target.port, address);
  if (!report) throw new HttpError(404, 'NOT_FOUND', `no stored report for ${target.input}${address ? ` at ${address}` : ''}`);
  return { statusCode: 200, body: report };
}

/** Answers one request; bad input is a 4xx answer, anything else thrown is the caller's 500. */
export async function answer(request: HttpRequest, deps: HttpDeps): Promise<HttpAnswer> {
  try {
    const route = `${request.method.toUpperCase()} ${request.route.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /check':
        return { statusCode: 200, body: (await check([targetOf(request.query.target, 'GET /check')], deps))[0] };
      case 'POST /check':
        return { statusCode: 200, body: await check(targetsOfBody(request.body), deps) };
      case 'GET /reports/latest':
        return await latest(request.query, deps);
      default:
        throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${route}`);
    }
  } catch (err) {
    if (err instanceof HttpError) return { statusCode: err.statusCode, body: errorBody(err.code, err.message) };
    throw err;
  }
}
