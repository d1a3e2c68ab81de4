/**
 * Builds the certification path from what the server presented to a trusted CA, and says how
 * it ends and whether the presented chain was in order. Pure apart from a process-wide cache
 * of verified CA→CA links; every leaf signature is verified each time.
 */
import type { X509Certificate } from 'node:crypto';
import { basicConstraintsPathLength } from '../der';
import type { TrustStore } from './trust-store';

export type PathEnd = 'trusted' | 'self-signed-leaf' | 'untrusted-root' | 'missing-issuer';

export interface ChainAnalysis {
  /** Leaf first, then each issuer found, ending at the trust anchor when there is one. */
  path: X509Certificate[];
  trusted: boolean;
  end: PathEnd;
  /** The issuer (Node's multi-line name) that neither the server nor the trust store had. */
  missingIssuer: string | null;
  /** Presented certificates that are not on the path nor another version of one on it. */
  unrelated: X509Certificate[];
  /** The presented certificates of the path come leaf first, each followed by its issuer. */
  inOrder: boolean;
}

const MAX_DEPTH = 10;
const MAX_CACHED_LINKS = 10_000;
const verifiedLinks = new Map<string, boolean>();

function signatureVerifies(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * `parent` issued `child`: names, key identifiers and key usage match (OpenSSL's
 * X509_check_issued), and the signature verifies. A presented issuer must also be a CA
 * (basicConstraints cA), as OpenSSL's chain verification demands; trust anchors need not be
 * (old v1 roots have no extensions).
 */
function issued(parent: X509Certificate, child: X509Certificate, childIsLeaf: boolean, parentIsAnchor = false): boolean {
  if (!parentIsAnchor && !parent.ca) return false;
  if (!child.checkIssued(parent)) return false;
  if (childIsLeaf) return signatureVerifies(child, parent);
  const key = `${child.fingerprint256}>${parent.fingerprint256}`;
  let ok = verifiedLinks.get(key);
  if (ok === undefined) {
    ok = signatureVerifies(child, parent);
    if (verifiedLinks.size >= MAX_CACHED_LINKS) verifiedLinks.clear();
    verifiedLinks.set(key, ok);
  }
  return ok;
}

const pathLengths = new Map<string, number | null>();

/** Whether `ca` may sit `below` intermediates above the leaf (its pathLenConstraint). */
function pathLengthAllows(ca: X509Certificate, below: number): boolean {
  let limit = pathLengths.get(ca.fingerprint256);
  if (limit === undefined) {
    try {
      limit = basicConstraintsPathLength(ca.raw);
    } catch {
      limit = null;
    }
    if (pathLengths.size >= MAX_CACHED_LINKS) pathLengths.clear();
    pathLengths.set(ca.fingerprint256, limit);
  }
  return limit === null || below <= limit;
}

/** Signed with its own key; key usage is not asked, as self-signed leaves rarely allow keyCertSign. */
function selfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && signatureVerifies(cert, cert);
}

function samePublicKey(a: X509Certificate, b: X509Certificate): boolean {
  try {
    return a.publicKey.equals(b.publicKey);
  } catch {
    return false;
  }
}

/** Analyses the presented chain (wire order, leaf first) against the trust store. */
export function analyseChain(presented: readonly X509Certificate[], store: TrustStore): ChainAnalysis {
  const leaf = presented[0];
  const path: X509Certificate[] = [leaf];
  const used = new Set<number>([0]);
  let end: PathEnd | undefined;
  let missingIssuer: string | null = null;

  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH && end === undefined; depth++) {
    const isLeaf = current === leaf;
    if (store.contains(current)) {
      end = 'trusted';
      break;
    }
    // Intermediates between the leaf and the next issuer, for its path length constraint.
    const below = path.length - 1;
    const anchor = store
      .withSubject(current.issuer)
      .find((ca) => issued(ca, current, isLeaf, true) && pathLengthAllows(ca, below));
    if (anchor) {
      path.push(anchor);
      end = 'trusted';
      break;
    }
    const next = presented.findIndex(
      (cert, i) => !used.has(i) && cert !== current && issued(cert, current, isLeaf) && pathLengthAllows(cert, below),
    );
    if (next >= 0) {
      used.add(next);
      path.push(presented[next]);
      current = presented[next];
      continue;
    }
    if (selfSigned(current)) {
      end = isLeaf ? 'self-signed-leaf' : 'untrusted-root';
    } else {
      end = 'missing-issuer';
      missingIssuer = current.issuer;
    }
  }
  end ??= 'missing-issuer';

  const onPath = path.filter((cert) => presented.includes(cert));
  const inOrder = presented.slice(0, onPath.length).every((cert, i) => cert === onPath[i]);
  const unrelated = presented.filter(
    (cert) =>
      !path.includes(cert) &&
      // The anchor itself, or another version of a certificate on the path (a cross-sign,
      // a re-issued root), is not unrelated.
      !path.some((p) => p.fingerprint256 === cert.fingerprint256 || (p.subject === cert.subject && samePublicKey(p, cert))),
  );
  return { path, trusted: end === 'trusted', end, missingIssuer, unrelated, inOrder };
}
