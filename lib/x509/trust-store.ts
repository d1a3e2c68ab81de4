/**
 * The trusted CAs: Node's bundled Mozilla roots, or exactly the certificates of a file.
 * Parsed once, indexed by subject so a lookup touches only the roots that could match.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { parsed } from './parsed';

export class TrustStoreError extends Error {
  override name = 'TrustStoreError';
}

/** Each PEM certificate block of a text (a CA file, a chain file). */
export const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export class TrustStore {
  private bySubject: Map<string, X509Certificate[]> | undefined;
  private readonly fingerprints = new Set<string>();

  private readonly vettedFingerprints = new Set<string>();

  /**
   * @param vetted these anchors come from a root programme (Mozilla's), which trusts some roots
   *   made before today's profile (a non-critical basicConstraints, no subject key identifier,
   *   an AKI naming an issuer); the profile's rules on a root's form are then not applied.
   */
  constructor(
    readonly certificates: readonly X509Certificate[],
    readonly source: string,
    vetted = false,
  ) {
    for (const cert of certificates) {
      this.fingerprints.add(cert.fingerprint256);
      if (vetted) this.vettedFingerprints.add(cert.fingerprint256);
    }
  }

  /** Whether this anchor comes from a root programme (see the constructor). */
  vetted(cert: X509Certificate): boolean {
    return this.vettedFingerprints.has(cert.fingerprint256);
  }

  /** These anchors and those of `other`, each keeping whether it is vetted (--add-ca-file). */
  plus(other: TrustStore, source: string): TrustStore {
    const merged = new TrustStore([...this.certificates, ...other.certificates], source);
    for (const fingerprint of [...this.vettedFingerprints, ...other.vettedFingerprints]) merged.vettedFingerprints.add(fingerprint);
    return merged;
  }

  /** Trusted certificates whose subject is the name with this key (see names.ts), indexed on first use. */
  withSubject(nameKey: string): readonly X509Certificate[] {
    if (!this.bySubject) {
      this.bySubject = new Map();
      for (const cert of this.certificates) {
        const key = parsed(cert).subject.key;
        const list = this.bySubject.get(key) ?? [];
        list.push(cert);
        this.bySubject.set(key, list);
      }
    }
    return this.bySubject.get(nameKey) ?? [];
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
      true,
    );
    return mozillaStore;
  }

  /** The Mozilla roots and a CA file's certificates (--add-ca-file, CA_MODE=add), both named in findings. */
  static mozillaAnd(caFile: TrustStore): TrustStore {
    const mozilla = TrustStore.mozilla();
    return mozilla.plus(caFile, `${mozilla.source} and ${caFile.source}`);
  }

  /** Every certificate in a PEM file; throws {@link TrustStoreError} with a one-line reason. */
  static fromPemFile(path: string): TrustStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new TrustStoreError(`cannot read CA file ${path}: ${(err as Error).message}`, { cause: err });
    }
    return TrustStore.fromPemText(text, path);
  }

  /** Every certificate in PEM text read from `path` (a file, an s3:// object), named so in messages. */
  static fromPemText(text: string, path: string): TrustStore {
    const blocks = text.match(PEM_CERTIFICATE) ?? [];
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
