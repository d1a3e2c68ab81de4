/**
 * The trusted CAs: Node's bundled Mozilla roots, or exactly the certificates of a file.
 * Parsed once, indexed by subject so a lookup touches only the roots that could match.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

export class TrustStoreError extends Error {
  override name = 'TrustStoreError';
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export class TrustStore {
  private readonly bySubject = new Map<string, X509Certificate[]>();
  private readonly fingerprints = new Set<string>();

  constructor(
    readonly certificates: readonly X509Certificate[],
    readonly source: string,
  ) {
    for (const cert of certificates) {
      const list = this.bySubject.get(cert.subject) ?? [];
      list.push(cert);
      this.bySubject.set(cert.subject, list);
      this.fingerprints.add(cert.fingerprint256);
    }
  }

  /** Trusted certificates whose subject is `name` (Node's multi-line form). */
  withSubject(name: string): readonly X509Certificate[] {
    return this.bySubject.get(name) ?? [];
  }

  /** Whether this exact certificate is trusted. */
  contains(cert: X509Certificate): boolean {
    return this.fingerprints.has(cert.fingerprint256);
  }

  /** Node's bundled Mozilla roots, parsed once per process. */
  static mozilla(): TrustStore {
    mozillaStore ??= new TrustStore(
      rootCertificates.map((pem) => new X509Certificate(pem)),
      'the Mozilla roots bundled with Node',
    );
    return mozillaStore;
  }

  /** Every certificate in a PEM file; throws {@link TrustStoreError} with a one-line reason. */
  static fromPemFile(path: string): TrustStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new TrustStoreError(`cannot read CA file ${path}: ${(err as Error).message}`, { cause: err });
    }
    const blocks = text.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) throw new TrustStoreError(`CA file ${path} holds no PEM certificate`);
    try {
      return new TrustStore(blocks.map((pem) => new X509Certificate(pem)), `the CA file ${path}`);
    } catch (err) {
      throw new TrustStoreError(`CA file ${path} holds a certificate that cannot be parsed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

let mozillaStore: TrustStore | undefined;
