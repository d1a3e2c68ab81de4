/**
 * Path validation, pure: from the certificates a server presented (wire order, leaf first), the
 * trust anchors and a time, to the path a TLS client would build and why it would or would not
 * accept it. Builds paths depth first with backtracking over every candidate issuer (anchors
 * first, then presented certificates, then any fetched by AIA), as Go's buildChains and
 * rustls-webpki do, and stops at the first path that breaks no rule. When none is clean, the
 * anchored path with the fewest problems is kept, else the longest dead end. The work a hostile
 * chain can cause is bounded (signature checks, search steps); hitting a bound is a problem
 * of its own, never a hang. The host name is the hostname check's: it is not a path rule.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { rfc4514 } from './cert-info';
import { parseCertificate, parsed, type ParsedCert } from './parsed';
import { certificateProblems, type PathProblem, pathProblems, type Role, validAt } from './rules';
import type { TrustStore } from './trust-store';

export type { PathProblem } from './rules';

/**
 * How the best path ends: at a trust anchor with every rule met (`trusted`) or with rules
 * broken (`invalid`), or short of one: at a self-signed leaf, an untrusted root, or an issuer
 * nobody sent.
 */
export type PathEnd = 'trusted' | 'invalid' | 'self-signed-leaf' | 'untrusted-root' | 'missing-issuer';

export interface ValidationOptions {
  /** The time to judge at (the check's clock, or --at). */
  at: Date;
  /** At most this many intermediates that are not self-issued (x509-limbo's max_chain_depth). */
  maxIntermediates?: number | null;
  /** Issuers found elsewhere (AIA), tried after the presented ones. */
  extraIssuers?: readonly X509Certificate[];
  limits?: Partial<WorkLimits>;
}

export interface WorkLimits {
  /** Signature verifications per validation (cached CA links are free). */
  signatures: number;
  /** Search steps: issuer candidates considered. */
  steps: number;
  /** Longest path, in certificates above the leaf. */
  depth: number;
  /** Name-constraint comparisons (names × subtrees), over every path judged. */
  comparisons: number;
}

export const DEFAULT_LIMITS: WorkLimits = { signatures: 250, steps: 5000, depth: 100, comparisons: 250_000 };

export interface ChainAnalysis {
  /** Leaf first, then each issuer, ending at the trust anchor when there is one. */
  path: X509Certificate[];
  /** A path to an anchor that breaks no rule exists. */
  trusted: boolean;
  end: PathEnd;
  /** The issuer (RFC 4514) that neither the server nor the trust store had. */
  missingIssuer: string | null;
  /** What breaks on the path: index into `path`, kind, and the rule in words. */
  problems: PathProblem[];
  /** Which bound stopped the search, in words; null when it ran to the end. */
  workLimit: string | null;
  /** Presented certificates that are not on the path nor another version of one on it. */
  unrelated: X509Certificate[];
  /** The presented certificates of the path come leaf first, each followed by its issuer. */
  inOrder: boolean;
}

const MAX_CACHED_LINKS = 10_000;
const verifiedLinks = new Map<string, boolean>();
const publicKeys = new WeakMap<ParsedCert, KeyObject | null>();

function publicKeyOf(cert: ParsedCert): KeyObject | null {
  let key = publicKeys.get(cert);
  if (key === undefined) {
    try {
      key = cert.x509.publicKey;
    } catch {
      key = null; // a key OpenSSL cannot load verifies nothing
    }
    publicKeys.set(cert, key);
  }
  return key;
}

function samePublicKey(a: ParsedCert, b: ParsedCert): boolean {
  const ka = publicKeyOf(a);
  const kb = publicKeyOf(b);
  return ka !== null && kb !== null && ka.equals(kb);
}

const MAX_CACHED_PROBLEMS = 10_000;
const caProblems = new Map<string, string[]>();

/** A certificate's own problems in its place; a CA's are kept for the process (fleets share CAs). */
function problemsOf(cert: ParsedCert, role: Role): string[] {
  if (role === 'leaf' || role === 'trusted-leaf') return certificateProblems(cert, role);
  const key = `${role}:${cert.fingerprint}`;
  let list = caProblems.get(key);
  if (!list) {
    list = certificateProblems(cert, role);
    if (caProblems.size >= MAX_CACHED_PROBLEMS) caProblems.clear();
    caProblems.set(key, list);
  }
  return list;
}

interface Candidate {
  cert: ParsedCert;
  anchor: boolean;
}

class Search {
  private signatures = 0;
  private steps = 0;
  workLimit: string | null = null;
  clean: ParsedCert[] | null = null;
  best: { path: ParsedCert[]; problems: PathProblem[] } | null = null;
  deadEnd: ParsedCert[] = [];
  private readonly comparisons: { left: number };

  constructor(
    private readonly anchors: TrustStore,
    private readonly pool: readonly ParsedCert[],
    private readonly opts: ValidationOptions,
    private readonly limits: WorkLimits,
  ) {
    this.comparisons = { left: limits.comparisons };
  }

  private signed(child: ParsedCert, parent: ParsedCert, isLeaf: boolean): boolean {
    const key = `${child.fingerprint}>${parent.fingerprint}`;
    const cached = isLeaf ? undefined : verifiedLinks.get(key);
    if (cached !== undefined) return cached;
    if (this.signatures >= this.limits.signatures) {
      this.workLimit ??= `the search for a path stopped after ${this.limits.signatures} signature checks`;
      return false;
    }
    this.signatures++;
    const parentKey = publicKeyOf(parent);
    let ok: boolean;
    try {
      ok = parentKey !== null && child.x509.verify(parentKey);
    } catch {
      ok = false;
    }
    if (!isLeaf) {
      if (verifiedLinks.size >= MAX_CACHED_LINKS) verifiedLinks.clear();
      verifiedLinks.set(key, ok);
    }
    return ok;
  }

  /** Issuer candidates of `cert`: anchors first, AKI/SKI matches before others, currently valid first. */
  private candidates(cert: ParsedCert): Candidate[] {
    const anchors = this.anchors.withSubject(cert.issuer.key).map((c) => ({ cert: parsed(c), anchor: true }));
    // A presented copy of an anchor is the anchor, already among the candidates.
    const sent = this.pool.filter((c) => c.subject.key === cert.issuer.key && !this.anchors.contains(c.x509)).map((c) => ({ cert: c, anchor: false }));
    const found: Candidate[] = [...anchors, ...sent];
    const wanted = cert.authorityKeyId?.keyId;
    const score = (c: Candidate): number =>
      (c.anchor ? 0 : 4) + (wanted && c.cert.subjectKeyId && !wanted.equals(c.cert.subjectKeyId) ? 2 : 0) + (validAt(c.cert, this.opts.at) ? 0 : 1);
    return found.map((c, i) => ({ c, i, s: score(c) })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.c);
  }

  /** Judges a path that ends at a trust anchor; true when it breaks nothing. */
  judge(path: ParsedCert[]): boolean {
    const last = path.length - 1;
    const problems: PathProblem[] = [];
    path.forEach((cert, i) => {
      const anchor: Role = this.anchors.vetted(cert.x509) ? 'vetted-anchor' : 'anchor';
      const role: Role = i === 0 ? (last === 0 ? 'trusted-leaf' : 'leaf') : i === last ? anchor : 'intermediate';
      for (const message of problemsOf(cert, role)) problems.push({ index: i, kind: 'rule', message });
    });
    problems.push(...pathProblems(path, this.opts.at, this.opts.maxIntermediates ?? null, this.comparisons));
    if (problems.length === 0) {
      this.clean = path;
      return true;
    }
    if (!this.best || problems.length < this.best.problems.length) this.best = { path, problems };
    return false;
  }

  /** Extends `path` by every issuer of its last certificate; true once a clean path is found. */
  extend(path: ParsedCert[]): boolean {
    const current = path[path.length - 1];
    let issuers = 0;
    if (path.length - 1 < this.limits.depth) {
      for (const candidate of this.candidates(current)) {
        if (this.workLimit) return false;
        if (++this.steps > this.limits.steps) {
          this.workLimit = `the search for a path stopped after ${this.limits.steps} steps`;
          return false;
        }
        const next = candidate.cert;
        if (path.some((p) => p.fingerprint === next.fingerprint || (p.subject.key === next.subject.key && samePublicKey(p, next)))) continue;
        if (!this.signed(current, next, path.length === 1)) continue;
        issuers++;
        const longer = [...path, next];
        if (candidate.anchor ? this.judge(longer) : this.extend(longer)) return true;
      }
    } else {
      this.workLimit ??= `the path is longer than ${this.limits.depth} certificates`;
    }
    if (issuers === 0 && path.length > this.deadEnd.length) this.deadEnd = path;
    return false;
  }
}

function selfSigned(cert: ParsedCert): boolean {
  if (!cert.selfIssued) return false;
  const key = publicKeyOf(cert);
  try {
    return key !== null && cert.x509.verify(key);
  } catch {
    return false;
  }
}

/** Validates the presented chain against the anchors at `opts.at`. Never throws for a certificate. */
export function validateChain(presented: readonly X509Certificate[], anchors: TrustStore, opts: ValidationOptions): ChainAnalysis {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const certs = presented.map((cert, i) => (i === 0 ? parseCertificate(cert) : parsed(cert)));
  const leaf = certs[0];
  const pool = [...certs.slice(1), ...(opts.extraIssuers ?? []).map(parsed)];
  const search = new Search(anchors, pool, opts, limits);
  // A leaf that is itself trusted (a pinned self-signed certificate) is a path of its own.
  if (!(anchors.contains(leaf.x509) && search.judge([leaf]))) search.extend([leaf]);

  let path: ParsedCert[];
  let end: PathEnd;
  let problems: PathProblem[] = [];
  let missingIssuer: string | null = null;
  if (search.clean) {
    path = search.clean;
    end = 'trusted';
  } else if (search.best) {
    path = search.best.path;
    problems = search.best.problems;
    end = 'invalid';
  } else {
    path = search.deadEnd.length > 0 ? search.deadEnd : [leaf];
    const last = path[path.length - 1];
    if (selfSigned(last)) end = path.length === 1 ? 'self-signed-leaf' : 'untrusted-root';
    else {
      end = 'missing-issuer';
      missingIssuer = rfc4514(last.x509.issuer);
    }
  }
  if (search.workLimit && end !== 'trusted') {
    problems = [...problems, { index: path.length - 1, kind: 'rule', message: search.workLimit }];
  }

  // Compared by fingerprint: the parse cache may hold another object for the same certificate.
  const x509Path = path.map((c) => c.x509);
  const sent = certs.map((c) => c.fingerprint);
  const onPath = path.filter((c) => sent.includes(c.fingerprint)).map((c) => c.fingerprint);
  const inOrder = sent.slice(0, onPath.length).every((fingerprint, i) => fingerprint === onPath[i]);
  // The anchor itself, or another version of a certificate on the path (a cross-sign, a
  // re-issued root), is not unrelated.
  const unrelated = certs
    .filter((p) => !path.some((q) => q.fingerprint === p.fingerprint || (q.subject.key === p.subject.key && samePublicKey(q, p))))
    .map((p) => p.x509);
  return { path: x509Path, trusted: end === 'trusted', end, missingIssuer, problems, workLimit: search.workLimit, unrelated, inOrder };
}
