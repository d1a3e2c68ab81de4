/** Posting to a webhook on a real local receiver: retries, Retry-After, timeouts, refusals. */
import { type DeliveryOptions, failureWords, retryAfterMs, WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhook } from '../lib/alerts/webhooks';
import { hierarchy } from './fixtures/pki';
import { closedPort, startTlsServer } from './fixtures/tls-server';
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

  it('reports a refused connection with its address, without the URL', async () => {
    const port = await closedPort();
    const webhook = parseWebhook(`webhook+http://127.0.0.1:${port}/secret-path-token`);

    const result = await new WebhookPoster(fetch, FAST).post(webhook, {});

    expect(result).toMatchObject({ ok: false, attempts: 3, httpStatus: null });
    expect(result.error).toBe(`fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(JSON.stringify(result)).not.toContain('secret-path-token');
  });

  it('reports why TLS failed (the verification error and its code), without the URL', async () => {
    const pki = await hierarchy('Webhook');
    const server = await startTlsServer({ chain: [await pki.leaf({ cn: 'hook', sans: ['127.0.0.1'] }), pki.intermediate] });
    try {
      const webhook = parseWebhook(`webhook+https://127.0.0.1:${server.port}/secret-path-token?sig=also-secret`);

      const result = await new WebhookPoster(fetch, { ...FAST, attempts: 1 }).post(webhook, {});

      expect(result).toMatchObject({ ok: false, httpStatus: null });
      expect(result.error).toMatch(/^fetch failed: .*certificate.* \((UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\)$/);
      expect(JSON.stringify(result)).not.toMatch(/secret-path-token|also-secret/);
    } finally {
      await server.close();
    }
  });

  it('reports a name that does not resolve (ENOTFOUND), hiding the path when a cause repeats it', async () => {
    const webhook = parseWebhook('webhook+https://hooks.example.test:8443/services/secret-path-token?key=k');
    // What undici throws for a name that does not resolve, with a cause that names the whole URL.
    const dnsFailure: typeof fetch = () => {
      const lookup = Object.assign(new Error('getaddrinfo ENOTFOUND hooks.example.test'), { code: 'ENOTFOUND', hostname: 'hooks.example.test' });
      const request = new Error('POST hooks.example.test:8443/services/secret-path-token?key=k failed', { cause: lookup });
      return Promise.reject(new TypeError('fetch failed', { cause: request }));
    };

    const result = await new WebhookPoster(dnsFailure, { ...FAST, attempts: 1 }).post(webhook, {});

    expect(result.error).toBe('fetch failed: POST hooks.example.test:8443/… failed: getaddrinfo ENOTFOUND hooks.example.test');
    expect(JSON.stringify(result)).not.toMatch(/secret-path-token|key=k/);
  });

  it('says each address an attempt failed on (an AggregateError)', () => {
    const each = [Object.assign(new Error('connect ECONNREFUSED ::1:9'), { code: 'ECONNREFUSED' }), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })];
    const aggregate = Object.assign(new AggregateError(each, ''), { code: 'ECONNREFUSED' });
    expect(failureWords(new TypeError('fetch failed', { cause: aggregate }))).toBe('fetch failed: connect ECONNREFUSED ::1:9, connect ECONNREFUSED 127.0.0.1:9');
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
