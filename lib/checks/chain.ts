/** SELF_SIGNED, UNTRUSTED_ROOT, INCOMPLETE_CHAIN, CHAIN_ORDER and CHAIN_CERT_EXPIRED. */
import type { Finding } from '../report';
import { certInfo, daysUntil, rfc4514 } from '../x509/cert-info';
import { type Check, type CheckInput, day, days, pathIntermediates } from './types';

/** What fetching the missing issuer by AIA showed, as the end of a sentence. */
function aia(input: CheckInput): string {
  const fetched = input.aiaIssuer;
  if (!fetched) return '';
  if (!fetched.completes) return `; the certificate's AIA URL gives "${fetched.subject}", which does not complete the path either`;
  return `; the server omits "${fetched.subject}": clients that fetch it by AIA will connect, curl and many mobile clients will not`;
}

export const checkChain: Check = (input, ctx): Finding[] => {
  const chain = input.chain;
  const leaf = input.leaf;
  if (!chain || !leaf) return [];
  const findings: Finding[] = [];
  const last = input.path[input.path.length - 1];

  switch (chain.end) {
    case 'self-signed-leaf':
      findings.push({
        code: 'SELF_SIGNED',
        severity: 'critical',
        message: `the certificate "${leaf.subject}" is self-signed and not trusted by ${ctx.trustSource}`,
      });
      break;
    case 'untrusted-root':
      findings.push({
        code: 'UNTRUSTED_ROOT',
        severity: 'critical',
        message: `the chain ends at the root "${last.subject}", which is not trusted by ${ctx.trustSource}`,
      });
      break;
    case 'missing-issuer': {
      const missing = rfc4514(chain.missingIssuer ?? '');
      if (input.path.length === 1) {
        findings.push({
          code: 'INCOMPLETE_CHAIN',
          severity: 'critical',
          message: `the server does not send the intermediate "${missing}" that issued the certificate, and it is not in ${ctx.trustSource}${aia(input)}`,
        });
      } else {
        findings.push({
          code: 'UNTRUSTED_ROOT',
          severity: 'critical',
          message: `the chain ends at "${last.subject}", issued by "${missing}", which is neither sent by the server nor trusted by ${ctx.trustSource}${aia(input)}`,
        });
      }
      break;
    }
    case 'trusted':
      break;
  }

  const problems: string[] = [];
  if (!chain.inOrder) problems.push('sends the chain out of order (each certificate should be followed by its issuer)');
  if (chain.unrelated.length > 0) {
    const names = chain.unrelated.map((cert) => `"${certInfo(cert).subject}"`).join(', ');
    problems.push(`sends ${chain.unrelated.length} certificate${chain.unrelated.length === 1 ? '' : 's'} not on the path: ${names}`);
  }
  if (problems.length > 0) {
    findings.push({ code: 'CHAIN_ORDER', severity: 'warning', message: `the server ${problems.join(' and ')}` });
  }

  for (const info of pathIntermediates(input)) {
    if (info.notAfter.getTime() > ctx.now.getTime()) continue;
    findings.push({
      code: 'CHAIN_CERT_EXPIRED',
      severity: 'critical',
      message: `intermediate "${info.subject}" expired on ${day(info.notAfter)} (${days(daysUntil(info.notAfter, ctx.now))} ago)`,
    });
  }
  return findings;
};
