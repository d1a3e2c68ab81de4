/** A per-process memo keyed by certificate fingerprint: fleets share a handful of CAs. */
import type { X509Certificate } from 'node:crypto';

/** `make` once per fingerprint, keeping at most `max` entries (the oldest leaves first). */
export function perCertificate<T>(make: (cert: X509Certificate) => T, max = 5000): (cert: X509Certificate) => T {
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
