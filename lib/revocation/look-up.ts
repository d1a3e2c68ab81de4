/**
 * The revocation look-ups of one verified path: the leaf and each intermediate (never the trust
 * anchor), each by a stapled OCSP response (the leaf), else the OCSP responder it names, else
 * its CRL. Every answer is verified before it counts; no answer is a soft fail (`unknown`, with
 * why), as browsers do. This is the I/O half; lib/checks/revocation.ts judges what it observed.
 */
import type { X509Certificate } from 'node:crypto';
import type { Lookup } from '../check';
import { ExpiringCache, type Expiring } from './cache';
import { revocationFacts } from './cert-urls';
import { crlEntry, parseCrl, verifyCrl, type Crl } from './crl';
import type { Fetch } from './http-fetch';
import { assertCurrent } from './answer';
import { ocspRequest, verifyOcspResponse, type OcspAnswer } from './ocsp';
import { revocationBase, revocationEntry as result } from './not-looked-up';

export type RevocationMethod = 'ocsp-stapled' | 'ocsp' | 'crl' | 'none';

export interface CertRevocation {
  subject: string;
  role: 'leaf' | 'intermediate';
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  method: RevocationMethod;
  revokedAt: string | null;
  reason: string | null;
  nextUpdate: string | null;
  /** Why the status is unknown although a responder or CRL was named. */
  error: string | null;
}

export interface RevocationObservation {
  /** False under --no-revocation: only a staple was read. */
  lookedUp: boolean;
  staple: { present: boolean; error: string | null };
  mustStaple: boolean;
  certs: CertRevocation[];
}

export interface RevocationOptions {
  lookups: boolean;
  timeoutMs: number;
  maxCrlBytes: number;
  fetch: Fetch;
  lookup: Lookup;
  addressPolicy?: (address: string) => string | null;
  now: Date;
}

const MAX_OCSP_BYTES = 64 * 1024;
/** How long an answer without nextUpdate, or with a far one, is kept. */
const MAX_CACHE_MS = 6 * 3600_000;

/** A certificate's look-ups (responder, then CRL) may take this many timeouts in all. */
const LOOK_UP_BUDGET = 2;

const ocspCache = new ExpiringCache<OcspAnswer>();
const crlCache = new ExpiringCache<Crl>();

function expiring<T>(value: T, nextUpdate: Date | null): Expiring<T> {
  const cap = Date.now() + MAX_CACHE_MS;
  return { value, expiresAt: nextUpdate ? Math.min(nextUpdate.getTime(), cap) : cap };
}

function fetchOptions(opts: RevocationOptions, maxBytes: number) {
  return { timeoutMs: opts.timeoutMs, maxBytes, lookup: opts.lookup, addressPolicy: opts.addressPolicy };
}

async function askResponder(url: string, cert: X509Certificate, issuer: X509Certificate, opts: RevocationOptions): Promise<OcspAnswer> {
  const key = `${issuer.fingerprint256}|${revocationFacts(cert).serial}|${url}`;
  const answer = await ocspCache.get(key, Date.now(), async () => {
    // RFC 6960 A.1: GET, as the request is small (one SHA-1 CertID: under 120 base64 characters,
    // well below the 255 that call for POST), and GET answers can be cached on the way.
    const encoded = Buffer.from(ocspRequest(cert, issuer)).toString('base64');
    const body = await opts.fetch(`${url.replace(/\/$/, '')}/${encodeURIComponent(encoded)}`, fetchOptions(opts, MAX_OCSP_BYTES));
    const verified = verifyOcspResponse(body, cert, issuer, opts.now);
    return expiring(verified, verified.nextUpdate);
  });
  // A cached answer is judged again at this check's time.
  assertCurrent('the response', answer.thisUpdate, answer.nextUpdate, opts.now);
  return answer;
}

async function readCrl(url: string, issuer: X509Certificate, opts: RevocationOptions): Promise<Crl> {
  const crl = await crlCache.get(url, Date.now(), async () => {
    const parsed = parseCrl(await opts.fetch(url, fetchOptions(opts, opts.maxCrlBytes)));
    return expiring(parsed, parsed.nextUpdate);
  });
  verifyCrl(crl, issuer, opts.now);
  return crl;
}

function fromOcsp(base: Pick<CertRevocation, 'subject' | 'role'>, answer: OcspAnswer, method: RevocationMethod): CertRevocation {
  return result(base, {
    status: answer.status,
    method,
    revokedAt: answer.revokedAt,
    reason: answer.reason,
    nextUpdate: answer.nextUpdate?.toISOString() ?? null,
    error: answer.status === 'unknown' ? 'the responder does not know the certificate' : null,
  });
}

/** One certificate: its OCSP responders in turn, then its CRLs; the first verified answer counts. */
async function lookUp(cert: X509Certificate, issuer: X509Certificate, base: Pick<CertRevocation, 'subject' | 'role'>, opts: RevocationOptions): Promise<CertRevocation> {
  const errors: string[] = [];
  const facts = revocationFacts(cert);
  for (const url of facts.ocspUrls) {
    try {
      const answer = await askResponder(url, cert, issuer, opts);
      if (answer.status !== 'unknown') return fromOcsp(base, answer, 'ocsp');
      errors.push(`OCSP ${url}: the responder does not know the certificate`);
    } catch (err) {
      errors.push(`OCSP ${url}: ${(err as Error).message}`);
    }
  }
  for (const url of facts.crlUrls) {
    try {
      const crl = await readCrl(url, issuer, opts);
      const entry = crlEntry(crl, facts.serial);
      const nextUpdate = crl.nextUpdate?.toISOString() ?? null;
      return result(base, entry ? { status: 'revoked', method: 'crl', ...entry, nextUpdate } : { status: 'good', method: 'crl', nextUpdate });
    } catch (err) {
      errors.push(`CRL ${url}: ${(err as Error).message}`);
    }
  }
  // A certificate that names neither: unknown, method none, and no finding (error stays null).
  return result(base, { error: errors.length > 0 ? errors.join('; ') : null });
}

/** A slow responder must not cost the report: past the budget the status is unknown, and why. */
function withinBudget(work: Promise<CertRevocation>, budgetMs: number, base: Pick<CertRevocation, 'subject' | 'role'>): Promise<CertRevocation> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CertRevocation>((resolve) => {
    timer = setTimeout(() => resolve(result(base, { error: `the look-ups did not finish within ${budgetMs} ms` })), budgetMs);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Looks up the revocation status of every certificate of `path` below the trust anchor.
 * `anchored`: the path ends at a root (trusted or not), which is not checked itself.
 */
export async function lookUpRevocation(path: X509Certificate[], anchored: boolean, staple: Buffer | null, opts: RevocationOptions): Promise<RevocationObservation> {
  const [leaf] = path;
  const issuerOfLeaf = path[1];
  let stapled: OcspAnswer | null = null;
  let stapleError: string | null = null;
  if (staple) {
    try {
      if (!issuerOfLeaf) throw new Error('the issuer is unknown, so the response cannot be verified');
      stapled = verifyOcspResponse(staple, leaf, issuerOfLeaf, opts.now);
    } catch (err) {
      stapleError = (err as Error).message;
    }
  }
  const checked = path.slice(0, anchored ? -1 : undefined);
  const certs = await Promise.all(
    checked.map((cert, i): Promise<CertRevocation> => {
      const base = revocationBase(cert, i);
      if (i === 0 && stapled) return Promise.resolve(fromOcsp(base, stapled, 'ocsp-stapled'));
      if (!opts.lookups) return Promise.resolve(result(base, { status: 'not-checked' }));
      const issuer = path[i + 1];
      if (!issuer) {
        const { ocspUrls, crlUrls } = revocationFacts(cert);
        const named = ocspUrls.length + crlUrls.length > 0;
        return Promise.resolve(result(base, { error: named ? 'its issuer is missing, so no answer could be verified' : null }));
      }
      return withinBudget(lookUp(cert, issuer, base, opts), opts.timeoutMs * LOOK_UP_BUDGET, base);
    }),
  );
  return { lookedUp: opts.lookups, staple: { present: staple !== null, error: stapleError }, mustStaple: revocationFacts(leaf).mustStaple, certs };
}
