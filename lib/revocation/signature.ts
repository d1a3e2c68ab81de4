/** The digest Node's crypto.verify needs for a signature algorithm OID (null: the key decides, as for Ed25519). */
const HASH_OF: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
  '1.3.101.113': null,
};

/** undefined for an algorithm this checker cannot verify (such a signature does not count). */
export function signatureHash(oid: string): string | null | undefined {
  return oid in HASH_OF ? HASH_OF[oid] : undefined;
}
