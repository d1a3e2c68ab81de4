/** Posting to a webhook on a real local receiver: retries, Retry-After, timeouts, refusals. */
import { type DeliveryOptions, retryAfterMs, WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhook } from '../lib/alerts/webhooks';
import { closedPort } from './fixtures/tls-server';
import { startWebhookReceiver, type WebhookReceiver } from './fixtures/webhook-receiver';

const FAST: DeliveryOptions = { timeoutMs: 500, attempts: 3, backoffMs: 50, maxWaitMs: 5_000 };
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

const hook = (path: string) => parseWebhook(`webhook+${receiver.url(path)}`);

describe('delivering to a webhook', () => {
  it('posts JSON once when the receiver takes it', async () => {
    const result = await new WebhookPoster(fetch, FAST).post(hook('/ok'), { hello: 'chat' });

    expect(result).toEqual({ sink: `webhook ${receiver.url('/')}…`, ok: true, attempts: 1, httpStatus: 200 });
    const [post] = receiver.postsTo('/ok');
    expect(post.body).toEqual({ hello: 'chat' });
    expect(post.headers['content-type']).toBe('application/json');
  });

  it('retries a 500 with backoff and succeeds', async () => {
    receiver.answer('/flaky', { status: 500 }, { status: 503 });

    const result = await new WebhookPoster(fetch, FAST).post(hook('/flaky'), {});

    expect(result).toMatchObject({ ok: true, attempts: 3 });
    const [a, b, c] = receiver.postsTo('/flaky').map((p) => p.at);
    expect(b - a).toBeGreaterThanOrEqual(45);
    expect(c - b).toBeGreaterThanOrEqual(95);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    receiver.answer('/limited', { status: 429, headers: { 'retry-after': '1' }, body: '{"retry_after":1}' });

    const result = await new WebhookPoster(fetch, FAST).post(hook('/limited'), {});

    expect(result).toMatchObject({ ok: true, attempts: 2 });
    const [a, b] = receiver.postsTo('/limited').map((p) => p.at);
    expect(b - a).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After is longer than it will wait', async () => {
    receiver.answer('/later', { status: 429, headers: { 'retry-after': '3600' } });

    const result = await new WebhookPoster(fetch, FAST).post(hook('/later'), {});

    expect(result).toMatchObject({ ok: false, attempts: 1, httpStatus: 429 });
    expect(result.error).toMatch(/HTTP 429.*asked to wait 3600 s/);
  });

  it('does not retry other 4xx answers, and says what the service said', async () => {
    receiver.answer('/bad', { status: 400, body: 'invalid_blocks' });

    const result = await new WebhookPoster(fetch, FAST).post(hook('/bad'), {});

    expect(result).toEqual({ sink: expect.any(String), ok: false, attempts: 1, httpStatus: 400, error: 'HTTP 400: invalid_blocks' });
    expect(receiver.postsTo('/bad')).toHaveLength(1);
  });

  it('reads only the start of an error answer that never ends', async () => {
    receiver.answer('/huge', 'endless-400');

    const result = await new WebhookPoster(fetch, FAST).post(hook('/huge'), {});

    expect(result).toMatchObject({ ok: false, attempts: 1, httpStatus: 400 });
    expect(result.error).toBe(`HTTP 400: ${'e'.repeat(200)}`);
  });

  it('gives up after every attempt times out on a receiver that hangs', async () => {
    receiver.always('/hang', 'hang');
    const started = Date.now();

    const result = await new WebhookPoster(fetch, FAST).post(hook('/hang'), {});

    expect(result).toMatchObject({ ok: false, attempts: 3, httpStatus: null, error: 'no answer within 500 ms' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports a refused connection without the URL', async () => {
    const port = await closedPort();
    const webhook = parseWebhook(`webhook+http://127.0.0.1:${port}/secret-path-token`);

    const result = await new WebhookPoster(fetch, FAST).post(webhook, {});

    expect(result).toMatchObject({ ok: false, attempts: 3, httpStatus: null });
    expect(result.error).toContain('ECONNREFUSED');
    expect(JSON.stringify(result)).not.toContain('secret-path-token');
  });

  it('retries a connection the receiver resets', async () => {
    receiver.answer('/reset', 'reset');

    const result = await new WebhookPoster(fetch, FAST).post(hook('/reset'), {});

    expect(result).toMatchObject({ ok: true, attempts: 2 });
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs('Mon, 23 Nov 2026 05:00:10 GMT', Date.parse('2026-11-23T05:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});
