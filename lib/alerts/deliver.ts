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
        const e = err as Error & { cause?: { code?: string; message?: string } };
        error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
        // The URL is a secret: never let it into a message that gets logged.
        error = error.split(webhook.url).join(webhook.label);
      }
      if (attempt < attempts) await sleep(wait);
    }
    return { sink: webhook.label, ok: false, attempts, httpStatus, error };
  }
}
