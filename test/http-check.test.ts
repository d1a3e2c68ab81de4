/**
 * The HTTP door on the sample events: routes, bad input, the address guard end to end (only
 * with loopback spellings, asserting no connection was made), stored reports, the fleet index
 * and the status page from S3, and a 500 that shows no stack.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { handler } from '../handlers/http-check';
import { readHttpConfig } from '../lib/config';
import { type IndexEntry, indexText } from '../lib/fleet-index';
import { answer } from '../lib/http-api';
import type { Report, Status } from '../lib/report';
import { S3ReportStore } from '../lib/store/s3';
import { TrustStore } from '../lib/x509/trust-store';
import { lambdaContext, sampleEvent, withEnv } from './fixtures/lambda';
import { hierarchy, type Hierarchy } from './fixtures/pki';
import { sampleReport } from './fixtures/reports';
import { s3Bucket as bucket, s3Client, s3Endpoint as endpoint } from './fixtures/test-bucket';
import { startStarttlsServer } from './fixtures/starttls-server';
import { closedPort, startRawServer, startTlsServer, type RunningServer } from './fixtures/tls-server';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

let pki: Hierarchy;
let v4: RunningServer;
let v6: RunningServer;
let restoreEnv: () => void;

beforeAll(async () => {
  pki = await hierarchy('Http');
  const chain = [await pki.leaf({ cn: 'localhost', sans: ['localhost', '127.0.0.1', '::1'] }), pki.intermediate];
  v4 = await startTlsServer({ chain });
  // The same port on ::1, so that a connection by any loopback spelling would be counted.
  v6 = await startTlsServer({ chain, host: '::1', port: v4.port });
});

afterAll(async () => {
  await v4.close();
  await v6.close();
});

beforeEach(() => {
  restoreEnv = withEnv({ ALLOW_PRIVATE_TARGETS: undefined, S3_BUCKET: undefined, S3_ENDPOINT: undefined, S3_PREFIX: undefined, CHECK_TIMEOUT_MS: '3000' });
});

afterEach(() => restoreEnv());

const connections = () => v4.stats.connections + v6.stats.connections;

function get(target: string | undefined, file = 'http-check-get.json'): APIGatewayProxyEvent {
  const event = sampleEvent<APIGatewayProxyEvent>(file);
  return { ...event, queryStringParameters: target === undefined ? null : { target } };
}

function post(body: string): APIGatewayProxyEvent {
  return { ...sampleEvent<APIGatewayProxyEvent>('http-check-post.json'), body };
}

function parsed<T>(result: APIGatewayProxyResult): T {
  expect(result.headers?.['content-type']).toMatch(/^application\/json/);
  return JSON.parse(result.body) as T;
}

describe('GET /check', () => {
  it('answers with one report of the target', async () => {
    process.env.ALLOW_PRIVATE_TARGETS = 'true';

    const result = await handler(get(`localhost:${v4.port}`), lambdaContext());

    expect(result.statusCode).toBe(200);
    const report = parsed<Report>(result);
    expect(report.target).toMatchObject({ host: 'localhost', port: v4.port, servername: 'localhost' });
    expect(report.leaf?.subject).toBe('CN=localhost');
    // The deployed trust store is Mozilla's: the test CA is not in it.
    expect(report.findings.map((f) => f.code)).toContain('UNTRUSTED_ROOT');
  });

  it('accepts a scheme: smtp:// speaks SMTP before TLS, and the report says so', async () => {
    process.env.ALLOW_PRIVATE_TARGETS = 'true';
    const mail = await startStarttlsServer({ chain: [await pki.leaf({ cn: 'localhost' }), pki.intermediate], dialogue: 'smtp' });
    try {
      const result = await handler(get(`smtp://localhost:${mail.port}`), lambdaContext());

      expect(result.statusCode).toBe(200);
      const report = parsed<Report>(result);
      expect(report.target).toMatchObject({ host: 'localhost', port: mail.port, protocol: 'smtp' });
      expect(report.leaf?.subject).toBe('CN=localhost');
      expect(mail.heard[0]).toEqual([expect.stringMatching(/^EHLO /), 'STARTTLS']);
    } finally {
      await mail.close();
    }
  });

  it('accepts postgres:// too: SSLRequest before TLS', async () => {
    process.env.ALLOW_PRIVATE_TARGETS = 'true';
    const db = await startStarttlsServer({ chain: [await pki.leaf({ cn: 'localhost' }), pki.intermediate], dialogue: 'postgres' });
    try {
      const result = await handler(get(`postgres://localhost:${db.port}`), lambdaContext());

      expect(result.statusCode).toBe(200);
      expect(parsed<Report>(result).target).toMatchObject({ host: 'localhost', port: db.port, protocol: 'postgres' });
      expect(db.heard[0]).toEqual(['\x00\x00\x00\x08\x04\xd2\x16\x2f']);
    } finally {
      await db.close();
    }
  });

  it('blocks an smtp:// target that resolves to loopback, without connecting', async () => {
    const mail = await startStarttlsServer({ chain: [await pki.leaf({ cn: 'localhost' }), pki.intermediate], dialogue: 'smtp' });
    try {
      const result = await handler(get(`smtp://localhost:${mail.port}`), lambdaContext());

      expect(parsed<Report>(result).findings.map((f) => f.code)).toEqual(['BLOCKED_ADDRESS']);
      expect(mail.stats.connections).toBe(0);
    } finally {
      await mail.close();
    }
  });

  it.each(['', 'gopher://example.com', 'http://example.com', 'exa mple.com', 'example.com:70000', 'user@example.com'])('refuses the bad target "%s" with a 400', async (target) => {
    const result = await handler(get(target), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(parsed<{ error: { code: string; message: string } }>(result).error).toEqual({ code: expect.stringMatching(/^(BAD|MISSING)_TARGET$/), message: expect.any(String) });
  });

  it('refuses a missing target with a 400', async () => {
    const result = await handler(get(undefined), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(parsed<{ error: { code: string } }>(result).error.code).toBe('MISSING_TARGET');
  });

  it('answers within the time Lambda has left, with a TIMEOUT report for a silent server', async () => {
    process.env.ALLOW_PRIVATE_TARGETS = 'true';
    const silent = await startRawServer(() => undefined);
    try {
      const started = Date.now();
      const result = await handler(get(`127.0.0.1:${silent.port}`), lambdaContext(4_500));

      expect(Date.now() - started).toBeLessThan(4_500);
      expect(parsed<Report>(result).findings.map((f) => f.code)).toEqual(['TIMEOUT']);
    } finally {
      await silent.close();
    }
  });
});

describe('the address guard', () => {
  it('blocks the sample private event without connecting', async () => {
    const result = await handler(sampleEvent<APIGatewayProxyEvent>('http-check-private.json'), lambdaContext());

    const report = parsed<Report>(result);
    expect(result.statusCode).toBe(200);
    expect(report.status).toBe('unknown');
    expect(report.findings).toEqual([{ code: 'BLOCKED_ADDRESS', severity: 'unknown', message: expect.stringMatching(/loopback/) }]);
  });

  it.each(['localhost', '127.0.0.1', '127.1', '2130706433', '0x7f000001', '0177.0.0.1', '[::ffff:127.0.0.1]', '[::1]', '0.0.0.0', '[::]', 'LOCALHOST.'])(
    'refuses %s and makes no connection',
    async (spelling) => {
      const before = connections();

      const result = await handler(get(`${spelling}:${v4.port}`), lambdaContext());

      const report = parsed<Report>(result);
      expect(report.findings.map((f) => f.code)).toEqual(['BLOCKED_ADDRESS']);
      expect(report.target.address).not.toBeNull();
      expect(connections()).toBe(before);
    },
  );

  it('lets loopback through when ALLOW_PRIVATE_TARGETS=true, so the test above would see a connection', async () => {
    process.env.ALLOW_PRIVATE_TARGETS = 'true';
    const before = connections();

    const result = await handler(get(`127.1:${v4.port}`), lambdaContext());

    expect(parsed<Report>(result).findings.map((f) => f.code)).not.toContain('BLOCKED_ADDRESS');
    expect(connections()).toBeGreaterThan(before);
  });

  it('blocks every target of a POST that resolves to loopback', async () => {
    const before = connections();

    const result = await handler(post(JSON.stringify({ targets: [`localhost:${v4.port}`, `[::1]:${v4.port}`] })), lambdaContext());

    expect(parsed<Report[]>(result).map((r) => r.findings[0].code)).toEqual(['BLOCKED_ADDRESS', 'BLOCKED_ADDRESS']);
    expect(connections()).toBe(before);
  });
});

describe('POST /check', () => {
  it('answers with one report per target, in order', async () => {
    process.env.ALLOW_PRIVATE_TARGETS = 'true';
    const down = await closedPort();

    const result = await handler(post(JSON.stringify({ targets: [`localhost:${v4.port}`, `127.0.0.1:${down}`] })), lambdaContext());

    expect(result.statusCode).toBe(200);
    const reports = parsed<Report[]>(result);
    expect(reports.map((r) => r.target.port)).toEqual([v4.port, down]);
    expect(reports[1].findings.map((f) => f.code)).toEqual(['CONNECTION_FAILED']);
  });

  it('checks the targets of the sample event as given (a base64 body too)', async () => {
    const event = sampleEvent<APIGatewayProxyEvent>('http-check-post.json');
    const body = JSON.stringify({ targets: [`localhost:${v4.port}`] });

    const result = await handler({ ...event, body: Buffer.from(body).toString('base64'), isBase64Encoded: true }, lambdaContext());

    expect(parsed<Report[]>(result)).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{targets:', 'BAD_REQUEST'],
    ['no targets', '{}', 'BAD_REQUEST'],
    ['an empty list', '{"targets": []}', 'BAD_REQUEST'],
    ['more than 20 targets', JSON.stringify({ targets: Array.from({ length: 21 }, (_, i) => `h${i}.example`) }), 'TOO_MANY_TARGETS'],
    ['a bad target', JSON.stringify({ targets: ['example.com', 'gopher://example.org'] }), 'BAD_TARGET'],
    ['a target that is not a string', JSON.stringify({ targets: [443] }), 'BAD_TARGET'],
  ])('refuses %s with a 400 and checks nothing', async (_what, body, code) => {
    const before = connections();

    const result = await handler(post(body), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(parsed<{ error: { code: string } }>(result).error.code).toBe(code);
    expect(connections()).toBe(before);
  });
});

describe('GET /reports/latest', () => {
  it('answers with the newest stored report from S3, and 404 when there is none', async () => {
    const store = new S3ReportStore(s3Client, { bucket, prefix: 'http-latest' });
    const stored = sampleReport({ host: 'example.com', checkedAt: '2026-11-23T05:00:00.000Z', status: 'warning' });
    await store.putReport(stored, { perAddress: false });
    Object.assign(process.env, { S3_BUCKET: bucket, S3_PREFIX: 'http-latest', S3_ENDPOINT: endpoint });

    const found = await handler(sampleEvent<APIGatewayProxyEvent>('http-reports-latest.json'), lambdaContext());
    const missing = await handler({ ...sampleEvent<APIGatewayProxyEvent>('http-reports-latest.json'), queryStringParameters: { target: 'example.org' } }, lambdaContext());

    expect(found.statusCode).toBe(200);
    expect(parsed<Report>(found)).toEqual(stored);
    expect(missing.statusCode).toBe(404);
    expect(parsed<{ error: { code: string } }>(missing).error.code).toBe('NOT_FOUND');
  });

  it('answers 500 with a code and no stack trace when the store is down', async () => {
    Object.assign(process.env, { S3_BUCKET: bucket, S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });

    const result = await handler(sampleEvent<APIGatewayProxyEvent>('http-reports-latest.json'), lambdaContext());

    expect(result.statusCode).toBe(500);
    const body = parsed<{ error: { code: string; message: string } }>(result);
    expect(body.error.code).toBe('INTERNAL_ERROR');
    expect(result.body).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  });
});

/** Points the handler at the test bucket, under `prefix`; the store it opens there. */
function storeUnder(prefix: string): S3ReportStore {
  Object.assign(process.env, { S3_BUCKET: bucket, S3_PREFIX: prefix, S3_ENDPOINT: endpoint });
  return new S3ReportStore(s3Client, { bucket, prefix });
}

async function* textOf(...pieces: string[]): AsyncGenerator<string> {
  yield* pieces;
}

describe('GET /status', () => {
  const PAGE = '<!doctype html><html><head><style>h1{color:red}</style></head><body><h1>certcheck: 2 critical</h1><script>document.title="x"</script></body></html>\n';

  it('answers with the stored page as HTML, never cached, under a policy that lets it reach nothing', async () => {
    const store = storeUnder('http-status');
    await store.putPage(textOf(PAGE.slice(0, 30), PAGE.slice(30)));

    const result = await handler(sampleEvent<APIGatewayProxyEvent>('http-status.json'), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(PAGE);
    expect(result.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    });
  });

  it('answers 404 NO_STATUS_PAGE in JSON when no run has written one', async () => {
    storeUnder('http-status-none');

    const result = await handler(sampleEvent<APIGatewayProxyEvent>('http-status.json'), lambdaContext());

    expect(result.statusCode).toBe(404);
    expect(parsed<{ error: { code: string; message: string } }>(result).error).toEqual({ code: 'NO_STATUS_PAGE', message: expect.stringMatching(/after each run/) });
  });
});

describe('GET /reports', () => {
  const STATUSES: Status[] = ['ok', 'warning', 'critical', 'unknown'];
  /** 23 targets: every status, days left falling with the number. */
  const ENTRIES: IndexEntry[] = Array.from({ length: 23 }, (_, i) => ({
    key: `h${String(i).padStart(2, '0')}.example_443`,
    host: `h${String(i).padStart(2, '0')}.example`,
    port: 443,
    address: null,
    status: STATUSES[i % 4],
    daysRemaining: 90 - i,
    notAfter: null,
    issuer: 'CN=Sample CA',
    codes: [],
    checkedAt: '2026-11-23T05:00:00.000Z',
    report: null,
    findings: [],
  }));
  /** The keys as GET /reports lists them: critical, unknown, warning, ok; then fewest days left. */
  const rank: Record<Status, number> = { critical: 0, unknown: 1, warning: 2, ok: 3 };
  const URGENT = [...ENTRIES].sort((a, b) => rank[a.status] - rank[b.status] || (a.daysRemaining as number) - (b.daysRemaining as number)).map((e) => e.key);

  interface Listing {
    generatedAt: string;
    runStartedAt: string;
    total: number;
    targets: IndexEntry[];
    nextCursor: string | null;
  }

  async function writeIndex(store: S3ReportStore, generatedAt: string, entries: IndexEntry[] = ENTRIES): Promise<void> {
    await store.putIndex(indexText({ schemaVersion: 1, generatedAt, runStartedAt: '2026-11-23T05:00:00.000Z' }, entries));
  }

  async function list(query: Record<string, string>): Promise<APIGatewayProxyResult> {
    return handler({ ...sampleEvent<APIGatewayProxyEvent>('http-reports.json'), queryStringParameters: query }, lambdaContext());
  }

  async function errorOf(query: Record<string, string>): Promise<[number, string, string]> {
    const result = await list(query);
    const { error } = parsed<{ error: { code: string; message: string } }>(result);
    return [result.statusCode, error.code, error.message];
  }

  it('answers the sample event with the latest status of every target, most urgent first, entries as stored', async () => {
    await writeIndex(storeUnder('http-reports'), '2026-11-23T05:01:00.000Z');

    const result = await handler(sampleEvent<APIGatewayProxyEvent>('http-reports.json'), lambdaContext());

    expect(result.statusCode).toBe(200);
    const body = parsed<Listing>(result);
    expect(body).toMatchObject({ generatedAt: '2026-11-23T05:01:00.000Z', runStartedAt: '2026-11-23T05:00:00.000Z', total: 23, nextCursor: null });
    expect(body.targets.map((e) => e.key)).toEqual(URGENT);
    expect(body.targets[0]).toEqual(ENTRIES.find((e) => e.key === URGENT[0]));
  });

  it('pages with the cursor through every target once, in order, and says when there is no more', async () => {
    await writeIndex(storeUnder('http-reports-pages'), '2026-11-23T05:01:00.000Z');
    const keys: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;

    do {
      const body: Listing = parsed<Listing>(await list({ limit: '10', ...(cursor ? { cursor } : {}) }));
      expect(body.total).toBe(23);
      keys.push(...body.targets.map((e) => e.key));
      sizes.push(body.targets.length);
      cursor = body.nextCursor;
    } while (cursor !== null);

    expect(sizes).toEqual([10, 10, 3]);
    expect(keys).toEqual(URGENT);
  });

  it('filters by status, the cursor keeping the filter', async () => {
    await writeIndex(storeUnder('http-reports-status'), '2026-11-23T05:01:00.000Z');

    const first = parsed<Listing>(await list({ status: 'warning', limit: '4' }));
    const second = parsed<Listing>(await list({ status: 'warning', limit: '4', cursor: first.nextCursor as string }));

    expect([first.total, second.total]).toEqual([6, 6]);
    expect([...first.targets, ...second.targets].map((e) => e.key)).toEqual(URGENT.filter((k) => ENTRIES.find((e) => e.key === k)?.status === 'warning'));
    expect(second.nextCursor).toBeNull();
    expect(await errorOf({ status: 'critical', cursor: first.nextCursor as string })).toEqual([400, 'BAD_CURSOR', expect.stringContaining('same status filter')]);
    expect(await errorOf({ cursor: first.nextCursor as string })).toEqual([400, 'BAD_CURSOR', expect.any(String)]);
    expect(await errorOf({ status: 'fine' })).toEqual([400, 'BAD_STATUS', 'status must be ok, warning, critical or unknown, not "fine"']);
  });

  it('gives 100 a page unless told, from 1 to 1,000', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ ...ENTRIES[0], key: `m${String(i).padStart(4, '0')}_443`, host: `m${i}`, status: 'ok' as const, daysRemaining: 30 }));
    await writeIndex(storeUnder('http-reports-limit'), '2026-11-23T05:01:00.000Z', many);

    const counts = async (query: Record<string, string>) => parsed<Listing>(await list(query)).targets.length;

    expect(await counts({})).toBe(100);
    expect(await counts({ limit: '1' })).toBe(1);
    expect(await counts({ limit: '1000' })).toBe(1000);
  });

  it.each(['0', '1001', '-1', '1.5', 'ten', '', '1e3'])('refuses limit=%s with 400 BAD_LIMIT', async (limit) => {
    storeUnder('http-reports');

    expect(await errorOf({ limit })).toEqual([400, 'BAD_LIMIT', `limit must be a whole number from 1 to 1000, not "${limit}"`]);
  });

  it.each([
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['the wrong shape', Buffer.from(JSON.stringify({ offset: 10 })).toString('base64url')],
    ['a negative offset', Buffer.from(JSON.stringify(['2026-11-23T05:01:00.000Z', null, -10])).toString('base64url')],
    ['an unknown status', Buffer.from(JSON.stringify(['2026-11-23T05:01:00.000Z', 'fine', 10])).toString('base64url')],
  ])('refuses a cursor that is %s with 400 BAD_CURSOR', async (_what, cursor) => {
    storeUnder('http-reports');

    expect(await errorOf({ cursor })).toEqual([400, 'BAD_CURSOR', expect.stringContaining('leave it out to start at the beginning')]);
  });

  it('answers 409 CURSOR_EXPIRED to a cursor from an index a later run has replaced', async () => {
    const store = storeUnder('http-reports-expired');
    await writeIndex(store, '2026-11-23T05:01:00.000Z');
    const { nextCursor } = parsed<Listing>(await list({ limit: '5' }));
    await writeIndex(store, '2026-11-24T05:01:00.000Z');

    const [status, code, message] = await errorOf({ limit: '5', cursor: nextCursor as string });

    expect([status, code]).toEqual([409, 'CURSOR_EXPIRED']);
    expect(message).toMatch(/start again without a cursor/);
    expect(parsed<Listing>(await list({ limit: '5' })).generatedAt).toBe('2026-11-24T05:01:00.000Z');
  });

  it('answers 404 NO_INDEX when no run has written the index', async () => {
    storeUnder('http-reports-none');

    expect(await errorOf({})).toEqual([404, 'NO_INDEX', expect.stringMatching(/after each run/)]);
  });
});

describe('the HTTP API core', () => {
  it('gives an ok report when the CA is trusted', async () => {
    const config = { ...readHttpConfig({ ALLOW_PRIVATE_TARGETS: 'true' }), timeoutMs: 3000 };
    const trustStore = new TrustStore([pki.root.cert], 'the test roots');

    const result = await answer({ method: 'GET', route: '/check', query: { target: `localhost:${v4.port}` }, body: null }, { config, trustStore, store: () => Promise.reject(new Error('unused')) });

    expect(result.statusCode).toBe(200);
    expect((result.body as Report).status).toBe('ok');
  });

  const core = (request: { method: string; route: string; query?: Record<string, string>; body?: string | null }) =>
    answer({ query: {}, body: null, ...request }, { config: readHttpConfig({}), trustStore: TrustStore.mozilla(), store: () => Promise.reject(new Error('unused')) });

  it('answers 404 for an unknown route, and 405 with Allow for a known route and another method', async () => {
    expect(await core({ method: 'GET', route: '/nowhere' })).toEqual({ statusCode: 404, body: { error: { code: 'NOT_FOUND', message: 'no such endpoint: GET /nowhere' } } });
    expect(await core({ method: 'DELETE', route: '/check' })).toEqual({
      statusCode: 405,
      body: { error: { code: 'METHOD_NOT_ALLOWED', message: '/check takes GET or POST, not DELETE' } },
      headers: { allow: 'GET, POST' },
    });
    expect(await core({ method: 'POST', route: '/status/' })).toMatchObject({ statusCode: 405, headers: { allow: 'GET' } });
  });

  it('says what is wrong with a body: none, not JSON, not an object, targets that are not strings', async () => {
    const refusal = async (body: string | null) => ((await core({ method: 'POST', route: '/check', body })).body as { error: { code: string; message: string } }).error;
    expect(await refusal(null)).toEqual({ code: 'BAD_REQUEST', message: 'POST /check needs a JSON body: {"targets": ["example.com", ...]}' });
    expect(await refusal('{targets')).toEqual({ code: 'BAD_REQUEST', message: 'the body must be JSON: {"targets": ["example.com", ...]}' });
    expect(await refusal('null')).toEqual({ code: 'BAD_REQUEST', message: 'the body must be a JSON object, not null: {"targets": ["example.com", ...]}' });
    expect(await refusal('["example.com"]')).toMatchObject({ message: expect.stringMatching(/^the body must be a JSON object, not an array/) });
    expect(await refusal('{"targets":[1,2]}')).toEqual({ code: 'BAD_TARGET', message: 'targets[0] must be a string such as "example.com:443", not a number' });
    expect(await refusal('{"targets":["example.com",["x"]]}')).toEqual({ code: 'BAD_TARGET', message: 'targets[1] must be a string such as "example.com:443", not an array' });
    expect(await refusal('{"targets":["example.com",null]}')).toEqual({ code: 'MISSING_TARGET', message: 'targets[1] needs a target, such as example.com:443' });
  });

  it('repeats at most 200 characters of what it was sent', async () => {
    const long = `${'a'.repeat(4_990)} bad.example`;
    const { message } = ((await core({ method: 'GET', route: '/check', query: { target: long } })).body as { error: { message: string } }).error;
    expect(message).toBe(`GET /check: invalid target "${'a'.repeat(200)}… (5002 characters)": contains spaces`);
  });

  it('answers an empty event (serverless invoke local without --path) with a 400, not a 500', async () => {
    const result = await handler({} as APIGatewayProxyEvent, lambdaContext(28_000));
    expect(result.statusCode).toBe(400);
    expect(parsed<{ error: { code: string; message: string } }>(result).error).toEqual({ code: 'BAD_REQUEST', message: 'not an API Gateway request: it has no HTTP method or path (an empty event?)' });
  });

  it('sends the Allow header of a 405 through the handler', async () => {
    const result = await handler({ ...get('example.com'), httpMethod: 'PUT' }, lambdaContext(28_000));
    expect([result.statusCode, result.headers?.allow]).toEqual([405, 'GET, POST']);
  });
});
