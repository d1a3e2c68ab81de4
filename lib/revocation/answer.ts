/** What OCSP and CRL answers share: when one is refused, how fresh it must be, serials and reasons. */

/** Clock skew allowed between us and a responder or CRL issuer. */
export const SKEW_MS = 5 * 60_000;

const REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unknown(7)',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

/** A CRL or OCSP reason code by name. */
export function reasonName(code: number | undefined): string | null {
  return code === undefined ? null : (REASONS[code] ?? `unknown(${code})`);
}

/** An answer that is not to be believed; the message says why. */
export class InvalidResponseError extends Error {
  override name = 'InvalidResponseError';
}

/** Throws unless an answer issued at `thisUpdate` and good until `nextUpdate` is current at `now` (give or take the skew). */
export function assertCurrent(what: string, thisUpdate: Date, nextUpdate: Date | null, now: Date): void {
  if (thisUpdate.getTime() > now.getTime() + SKEW_MS) throw new InvalidResponseError(`${what} is dated in the future (${thisUpdate.toISOString()})`);
  if (nextUpdate && nextUpdate.getTime() < now.getTime() - SKEW_MS) throw new InvalidResponseError(`${what} expired at ${nextUpdate.toISOString()}`);
}

export function hex(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
}

/** The serial as a canonical hex string (an INTEGER's leading zero byte dropped). */
export function serialHex(bytes: Uint8Array | ArrayBuffer): string {
  return hex(bytes).replace(/^(00)+(?=[0-9a-f]{2})/, '');
}
