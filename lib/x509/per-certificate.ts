/** A per-process memo keyed by certificate fingerprint: fleets share a handful of CAs. */
import type { X509Certificate } from 'node:crypto';

/**
 * `make` once per fingerprint, keeping at most `max` entries (the oldest first). A leaf is needed
 * only during its own check and fleets share a handful of CAs: 256 entries keep memory flat over a
 * long list (each holds a native certificate, about 11 KB with its facts).
 */
export function perCertificate<T>(make: (cert: X509Certificate) => T, max = 256): (cert: X509Certificate) => T {
  const cache = new Map<string, T>();
  return (cert) => {
    const key = cert.fingerprint256;
    let value = cache.get(key);
    if (value === undefined) {
      value = make(cert);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(key, value);
    }
    return value;
  };
}
