/**
 * The HTTP API of ../shared/CONTRACT.md, apart from API Gateway's event shapes: a request in,
 * a status and a JSON body (or the status page's HTML) out. `GET /check`, `POST /check`,
 * `GET /reports/latest`, `GET /reports` and `GET /status`.
 */
import { isIP } from 'node:net';
import { blockedReason } from './address-policy';
import { DEFAULT_CHECK_OPTIONS } from './check';
import type { HttpConfig } from './config';
import { byUrgency, type FleetIndex, type IndexEntry } from './fleet-index';
import { type Report, STATUS_RANK, type Status } from './report';
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

/** An answer in JSON: every route's, and every error's. */
export interface JsonAnswer {
  statusCode: number;
  body: unknown;
  html?: undefined;
  /** More headers (`allow` on a 405). */
  headers?: Readonly<Record<string, string>>;
}

/** An HTML page (`GET /status`), sent with PAGE_HEADERS. */
export interface HtmlAnswer {
  statusCode: number;
  html: string;
  body?: undefined;
}

export type HttpAnswer = JsonAnswer | HtmlAnswer;

/**
 * The status page's headers: never cached (it changes with every run), and a policy that lets
 * the self-contained page run its inline style and script and reach nothing else (no fetch, no
 * frame, no form, no image but data: ones), should a stored value slip into its markup.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

/** `GET /reports`: entries a page by default, and at most. */
export const REPORTS_LIMIT = { default: 100, max: 1000 };

export interface HttpDeps {
  config: HttpConfig;
  trustStore: TrustStore;
  /** The reports store, opened only by the routes that read it. */
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
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** The routes and the methods each takes (a known route with another method is a 405). */
const ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/check': ['GET', 'POST'],
  '/reports/latest': ['GET'],
  '/reports': ['GET'],
  '/status': ['GET'],
};

/** The most of what a caller sent that an error message repeats. */
const ECHO_CHARS = 200;

/** `text` as an error message may repeat it: at most ECHO_CHARS characters. */
function echo(text: string): string {
  return text.length <= ECHO_CHARS ? text : `${text.slice(0, ECHO_CHARS)}… (${text.length} characters)`;
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function targetOf(raw: unknown, where: string): Target {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) throw new HttpError(400, 'MISSING_TARGET', `${where} needs a target, such as example.com:443`);
  if (typeof raw !== 'string') throw new HttpError(400, 'BAD_TARGET', `${where} must be a string such as "example.com:443", not ${Array.isArray(raw) ? 'an array' : `a ${typeof raw}`}`);
  try {
    return parseTarget(raw);
  } catch (err) {
    // The message names the target as given: a long one is cut.
    throw new HttpError(400, 'BAD_TARGET', `${where}: ${(err as Error).message.replace(raw, echo(raw))}`);
  }
}

function targetsOfBody(body: string | null): Target[] {
  const shape = '{"targets": ["example.com", ...]}';
  if (body === null || body.trim() === '') throw new HttpError(400, 'BAD_REQUEST', `POST /check needs a JSON body: ${shape}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', `the body must be JSON: ${shape}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'BAD_REQUEST', `the body must be a JSON object, not ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}: ${shape}`);
  }
  const targets = (parsed as { targets?: unknown }).targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new HttpError(400, 'BAD_REQUEST', `the body must name its targets: ${shape}`);
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
  const report = await findLatest(await deps.store(), target.host, target.port, address, target.protocol);
  if (!report) throw new HttpError(404, 'NOT_FOUND', `no stored report for ${target.input}${address ? ` at ${address}` : ''}`);
  return { statusCode: 200, body: report };
}

async function statusPage(deps: HttpDeps): Promise<HttpAnswer> {
  const html = await (await deps.store()).getPage();
  if (html === null) throw new HttpError(404, 'NO_STATUS_PAGE', 'no status page yet: the scheduled check writes one after each run');
  return { statusCode: 200, html };
}

/** Where a `GET /reports` listing goes on: the index it pages through, the filter, the offset. */
interface Cursor {
  generatedAt: string;
  status: Status | null;
  offset: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.generatedAt, cursor.status, cursor.offset])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const bad = () => new HttpError(400, 'BAD_CURSOR', 'the cursor is not one this API gave: pass nextCursor as it came, or leave it out to start at the beginning');
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(value) || value.length !== 3) throw bad();
  const [generatedAt, status, offset] = value as unknown[];
  if (typeof generatedAt !== 'string' || !(status === null || isStatus(status)) || !Number.isSafeInteger(offset) || (offset as number) < 1) throw bad();
  return { generatedAt, status, offset: offset as number };
}

function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && Object.hasOwn(STATUS_RANK, value);
}

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return REPORTS_LIMIT.default;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= REPORTS_LIMIT.max)) throw new HttpError(400, 'BAD_LIMIT', `limit must be a whole number from 1 to ${REPORTS_LIMIT.max}, not "${raw}"`);
  return limit;
}

/**
 * `GET /reports`: the index's entries, most urgent first, a page at a time. The cursor names the
 * index it pages through: once a later run has rewritten the index, the order is another, and
 * going on would skip or repeat targets.
 */
async function reports(query: HttpRequest['query'], deps: HttpDeps): Promise<HttpAnswer> {
  const limit = limitOf(query.limit);
  const status = query.status === undefined ? null : query.status;
  if (status !== null && !isStatus(status)) throw new HttpError(400, 'BAD_STATUS', `status must be ok, warning, critical or unknown, not "${status}"`);
  const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
  if (cursor && cursor.status !== status) {
    throw new HttpError(400, 'BAD_CURSOR', `the cursor pages through ${cursor.status === null ? 'every status' : `status=${cursor.status}`}: ask for the next page with the same status filter`);
  }
  const index: FleetIndex | null = await (await deps.store()).getIndex();
  if (index === null) throw new HttpError(404, 'NO_INDEX', 'no fleet index yet: the scheduled check writes one after each run');
  if (cursor && cursor.generatedAt !== index.generatedAt) {
    throw new HttpError(409, 'CURSOR_EXPIRED', `a run rewrote the index (now generated at ${index.generatedAt}) since this listing began: start again without a cursor`);
  }
  const entries: IndexEntry[] = (status === null ? index.targets : index.targets.filter((e) => e.status === status)).sort(byUrgency);
  const offset = cursor?.offset ?? 0;
  const end = offset + limit;
  return {
    statusCode: 200,
    body: {
      generatedAt: index.generatedAt,
      runStartedAt: index.runStartedAt,
      total: entries.length,
      targets: entries.slice(offset, end),
      nextCursor: end < entries.length ? encodeCursor({ generatedAt: index.generatedAt, status, offset: end }) : null,
    },
  };
}

/** Answers one request; bad input is a 4xx answer, anything else thrown is the caller's 500. */
export async function answer(request: HttpRequest, deps: HttpDeps): Promise<HttpAnswer> {
  try {
    if (typeof request.method !== 'string' || typeof request.route !== 'string') {
      throw new HttpError(400, 'BAD_REQUEST', 'not an API Gateway request: it has no HTTP method or path (an empty event?)');
    }
    const path = request.route.replace(/\/+$/, '');
    const method = request.method.toUpperCase();
    const route = `${method} ${path}`;
    const allowed = Object.hasOwn(ROUTES, path) ? ROUTES[path] : null;
    if (allowed && !allowed.includes(method)) {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${path} takes ${allowed.join(' or ')}, not ${echo(method)}`, { allow: allowed.join(', ') });
    }
    switch (route) {
      case 'GET /check':
        return { statusCode: 200, body: (await check([targetOf(request.query.target, 'GET /check')], deps))[0] };
      case 'POST /check':
        return { statusCode: 200, body: await check(targetsOfBody(request.body), deps) };
      case 'GET /reports/latest':
        return await latest(request.query, deps);
      case 'GET /reports':
        return await reports(request.query, deps);
      case 'GET /status':
        return await statusPage(deps);
      default:
        throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${echo(route)}`);
    }
  } catch (err) {
    if (err instanceof HttpError) return { statusCode: err.statusCode, body: errorBody(err.code, err.message), ...(err.headers ? { headers: err.headers } : {}) };
    throw err;
  }
}
