/**
 * Plain-HTTP fetches of the URLs a certificate names (OCSP responders, CRLs, issuer
 * certificates). The checked server chose those URLs, so: http only, the address resolved once
 * and screened by the same policy as targets and then connected to exactly, bounded redirects,
 * a byte limit and a deadline.
 */
import { request } from 'node:http';
import { isIP } from 'node:net';
import type { Lookup } from '../check';

export class FetchError extends Error {
  override name = 'FetchError';
}

export interface FetchOptions {
  /** The whole fetch, redirects included. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  lookup: Lookup;
  /** Why an address must not be fetched from, or null (the HTTP door's guard). */
  addressPolicy?: (address: string) => string | null;
}

/** Fetches a URL the way revocation look-ups need; the body, or a FetchError that says why not. */
export type Fetch = (url: string, opts: FetchOptions) => Promise<Buffer>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function addressOf(url: URL, opts: FetchOptions): Promise<string> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const address = isIP(host) ? host : (await opts.lookup(host))[0]?.address;
  if (!address) throw new FetchError(`${url.host} does not resolve`);
  const refused = opts.addressPolicy?.(address);
  if (refused) throw new FetchError(`refused to fetch from ${address} (${refused})`);
  return address;
}

function once(url: URL, address: string, opts: FetchOptions, signal: AbortSignal): Promise<{ status: number; location?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port: url.port || 80,
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host, 'user-agent': 'certcheck' },
        signal,
      },
      (res) => {
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > opts.maxBytes) {
          res.destroy();
          reject(new FetchError(`${url.href} is ${declared} bytes, over the limit of ${opts.maxBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(new FetchError(`${url.href} sent more than the limit of ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => reject(err));
    req.end();
  });
}

/** The default Fetch: node:http to the screened address. */
export const httpFetch: Fetch = async (href, opts) => {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new FetchError(`"${href}" is not a URL`);
  }
  try {
    for (let redirects = 0; ; redirects++) {
      if (url.protocol !== 'http:') throw new FetchError(`${url.href} is not an http:// URL`);
      const answer = await once(url, await addressOf(url, opts), opts, signal);
      if (REDIRECTS.has(answer.status) && answer.location) {
        if (redirects >= (opts.maxRedirects ?? 3)) throw new FetchError(`${href} redirects more than ${opts.maxRedirects ?? 3} times`);
        url = new URL(answer.location, url);
        continue;
      }
      if (answer.status !== 200) throw new FetchError(`${url.href} answered HTTP ${answer.status}`);
      return answer.body;
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (signal.aborted) throw new FetchError(`${href} did not answer within ${opts.timeoutMs} ms`);
    throw new FetchError(`${href}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
};
