/**
 * Loads @peculiar/x509 on first use. Its import (with reflect-metadata, which it needs first)
 * costs about 200 ms, so it waits until a certificate has actually arrived: the first
 * connection is already under way by then, which keeps the cold start short.
 */
import type * as X509 from '@peculiar/x509';
import type { AsnConvert } from '@peculiar/asn1-schema';
import type { Certificate } from '@peculiar/asn1-x509';

export interface Peculiar {
  x509: typeof X509;
  AsnConvert: typeof AsnConvert;
  Certificate: typeof Certificate;
}

let loaded: Peculiar | undefined;

/** The @peculiar libraries, loaded on the first call. */
export function peculiar(): Peculiar {
  if (!loaded) {
    /* eslint-disable @typescript-eslint/no-require-imports -- a deliberate lazy load, see above */
    require('reflect-metadata');
    loaded = {
      x509: require('@peculiar/x509') as typeof X509,
      AsnConvert: (require('@peculiar/asn1-schema') as typeof import('@peculiar/asn1-schema')).AsnConvert,
      Certificate: (require('@peculiar/asn1-x509') as typeof import('@peculiar/asn1-x509')).Certificate,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return loaded;
}
