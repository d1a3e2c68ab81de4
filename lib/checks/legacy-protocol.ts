/**
 * Which protocol versions the server accepts (the report's `tls.versions`), from every handshake
 * that tells: the check's own, the legacy-version probe and the TLS 1.2 resumption probe; and
 * LEGACY_PROTOCOL when TLS 1.0 or 1.1 is among them (RFC 8996 deprecated both).
 */
import type { Finding, TlsVersion } from '../report';
import type { Check, CheckInput } from './types';

/** Oldest first. */
const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const LEGACY: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1'];

export type TlsVersions = Record<TlsVersion, boolean | null>;

type VersionFacts = Pick<CheckInput, 'negotiated' | 'legacyVersions' | 'resumption'>;

function isVersion(protocol: string | undefined): protocol is TlsVersion {
  return (VERSIONS as readonly string[]).includes(protocol ?? '');
}

/**
 * A handshake that offered `offered` (oldest first, contiguous) and got `chosen`: the server
 * accepts `chosen` and, choosing its highest, none of the newer ones offered. Only what is still
 * unknown is filled in: the first handshake to tell a version decides it.
 */
function learn(versions: TlsVersions, offered: readonly TlsVersion[], chosen: TlsVersion | null): void {
  const at = chosen === null ? -1 : offered.indexOf(chosen);
  for (const [i, version] of offered.entries()) {
    if (i < at) continue;
    versions[version] ??= i === at;
  }
}

/** What is known of each version; null where nothing told. */
export function tlsVersions(input: VersionFacts): TlsVersions {
  const versions: TlsVersions = { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null };
  const main = input.negotiated?.protocol;
  const incomplete = input.negotiated?.incomplete === true;
  // The weak-suite probe offers TLS 1.2 at most.
  if (isVersion(main)) learn(versions, incomplete ? VERSIONS.slice(0, 3) : VERSIONS, main);
  const probe = input.legacyVersions;
  if (probe?.outcome === 'accepted') learn(versions, LEGACY, probe.protocol);
  // A server whose only suites Node lacks refuses the probe for its suites, not its versions.
  else if (probe?.outcome === 'refused' && !incomplete) learn(versions, LEGACY, null);
  // The session-ID probe starts with a handshake of TLS 1.2 at most.
  const tls12 = input.resumption?.sessionId;
  if (tls12?.state === 'not-applicable') learn(versions, VERSIONS.slice(0, 3), null);
  else if (isVersion(tls12?.protocol)) learn(versions, VERSIONS.slice(0, 3), tls12.protocol);
  return versions;
}

/** Why the legacy-version probe could not tell, or null when it could or did not run. */
export function versionProbeError(input: Pick<CheckInput, 'legacyVersions'>): string | null {
  const probe = input.legacyVersions;
  return probe?.outcome === 'unknown' ? `the TLS 1.0/1.1 probe could not tell: ${probe.detail}` : null;
}

export const checkLegacyProtocol: Check = (input): Finding[] => {
  const versions = tlsVersions(input);
  const accepted = LEGACY.filter((version) => versions[version] === true);
  if (accepted.length === 0) return [];
  return [
    {
      code: 'LEGACY_PROTOCOL',
      severity: 'warning',
      message: `the server accepts ${accepted.join(' and ')}, deprecated by RFC 8996`,
    },
  ];
};
