/**
 * Posting to a webhook: a timeout per attempt, retries with backoff on 429, 5xx and network
 * failures (honouring Retry-After), none on other 4xx. Never throws: the outcome is data.
 */
import type { Webhook } from './webhooks';

export interface DeliveryOptions {
  /** Per attempt. */
  timeoutMs: number;
  attempts: number;
  /** The first backoff; it doubles at each retry. */
  backoffMs: number;
  /** A Retry-After longer than this ends the retries. */
  maxWaitMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { timeoutMs: 10_000, attempts: 3, backoffMs: 1_000, maxWaitMs: 30_000 };

/** What became of one message to one webhook (safe to log: no URL beyond its origin). */
export interface Delivery {
  sink: string;
  ok: boolean;
  attempts: number;
  /** The last HTTP status, null when none came. */
  httpStatus: number | null;
  error?: string;
}

export type Fetch = typeof fetch;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The start of an answer's body (for the error message); a broken service may send megabytes. */
async function bodyStart(response: Response, max = 1024): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}

/** Retry-After as milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.round(Number(header) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * What a failed request says, down its cause chain: fetch says only "fetch failed", its cause
 * says why ("connect ECONNREFUSED 127.0.0.1:9", "getaddrinfo ENOTFOUND hooks.example.com", a
 * TLS verification error with its code). An AggregateError (one attempt per address) says each.
 */
export function failureWords(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 6 && typeof e === 'object' && e !== null; depth++) {
    const { message, code, errors, cause } = e as { message?: unknown; code?: unknown; errors?: unknown; cause?: unknown };
    let text = typeof message === 'string' ? message : '';
    if (!text && Array.isArray(errors)) text = [...new Set(errors.map((inner) => failureWords(inner)))].join(', ');
    if (typeof code === 'string' && !text.includes(code)) text = text ? `${text} (${code})` : code;
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    e = cause;
  }
  return parts.join(': ') || String(err);
}

/** `text` without the webhook's URL or its path and query (the secret): only scheme, host and port remain. */
function redact(text: string, webhook: Webhook): string {
  let out = text.split(webhook.url).join(webhook.label);
  try {
    const url = new URL(webhook.url);
    const secret = `${url.pathname}${url.search}`;
    if (secret.length > 1) out = out.split(secret).join('/…');
  } catch {
    // A webhook's URL was parsed when the list was read; nothing more to hide.
  }
  return out;
}

export class WebhookPoster {
  constructor(
    private readonly fetchFn: Fetch = fetch,
    private readonly options: DeliveryOptions = DEFAULT_DELIVERY,
  ) {}

  async post(webhook: Webhook, body: unknown): Promise<Delivery> {
    const { timeoutMs, attempts, backoffMs, maxWaitMs } = this.options;
    const json = JSON.stringify(body);
    let httpStatus: number | null = null;
    let error = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let wait = backoffMs * 2 ** (attempt - 1);
      try {
        const response = await this.fetchFn(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'certcheck' },
          body: json,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        httpStatus = response.status;
        const text = await bodyStart(response).catch(() => '');
        if (response.ok) return { sink: webhook.label, ok: true, attempts: attempt, httpStatus };
        error = `HTTP ${response.status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`;
        if (response.status !== 429 && response.status < 500) return { sink: webhook.label, ok: false, attempts: attempt, httpStatus, error };
        const asked = retryAfterMs(response.headers.get('retry-after'));
        if (asked !== null) {
          if (asked > maxWaitMs) return { sink: webhook.label, ok: false, attempts: attempt, httpStatus, error: `${error} (asked to wait ${Math.ceil(asked / 1000)} s)` };
          wait = asked;
        }
      } catch (err) {
        error = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : failureWords(err);
        // The URL is a secret: never let it into a message that gets logged.
        error = redact(error, webhook);
      }
      if (attempt < attempts) await sleep(wait);
    }
    return { sink: webhook.label, ok: false, attempts, httpStatus, error };
  }
}
