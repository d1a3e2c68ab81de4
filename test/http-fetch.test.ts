/** The guarded fetch of certificate-named URLs: http only, bounded redirects, sizes and time. */
import { FetchError, httpFetch, type FetchOptions } from '../lib/revocation/http-fetch';
import { startHttpServer, type RunningHttpServer } from './fixtures/http-server';
import { startRawServer } from './fixtures/tls-server';

let http: RunningHttpServer;
const opts: FetchOptions = { timeoutMs: 2000, maxBytes: 1000, lookup: async () => [{ address: '127.0.0.1', family: 4 }] };

beforeAll(async () => {
  http = await startHttpServer();
  http.serve('/small', 'hello');
  http.serve('/large', Buffer.alloc(5000));
  http.redirect('/hop', '/small');
  for (let i = 0; i < 5; i++) http.redirect(`/loop${i}`, `/loop${i + 1}`);
});

afterAll(() => http.close());

describe('the certificate-URL fetch', () => {
  it('fetches, following a redirect', async () => {
    expect((await httpFetch(http.url('/hop'), opts)).toString()).toBe('hello');
  });

  it('resolves a name once and connects to that address', async () => {
    const port = new URL(http.url('/')).port;
    expect((await httpFetch(`http://crl.example.test:${port}/small`, opts)).toString()).toBe('hello');
  });

  it.each([
    ['an https:// URL', 'https://127.0.0.1/x.crl', /is not an http:\/\/ URL/],
    ['more than 3 redirects', '/loop0', /redirects more than 3 times/],
    ['a body over the limit', '/large', /over the limit of 1000|more than the limit of 1000/],
    ['a 404', '/missing', /answered HTTP 404/],
  ])('refuses %s', async (_what, path, why) => {
    await expect(httpFetch(path.startsWith('/') ? http.url(path) : path, opts)).rejects.toThrow(why);
  });

  it('refuses an address the policy refuses, before connecting', async () => {
    const before = http.hits.get('/small') ?? 0;

    await expect(httpFetch(http.url('/small'), { ...opts, addressPolicy: () => 'loopback' })).rejects.toThrow('refused to fetch from 127.0.0.1 (loopback)');
    expect(http.hits.get('/small') ?? 0).toBe(before);
  });

  it('gives up at the timeout on a silent server', async () => {
    const silent = await startRawServer(() => undefined);
    try {
      await expect(httpFetch(`http://127.0.0.1:${silent.port}/x`, { ...opts, timeoutMs: 300 })).rejects.toThrow(new FetchError(`http://127.0.0.1:${silent.port}/x did not answer within 300 ms`));
    } finally {
      await silent.close();
    }
  });
});
