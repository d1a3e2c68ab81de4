/** SELF_SIGNED, UNTRUSTED_ROOT, INCOMPLETE_CHAIN, CHAIN_INVALID, CHAIN_ORDER and CHAIN_CERT_EXPIRED. */
import type { Finding } from '../report';
import { certInfo, type CertInfo, daysUntil } from '../x509/cert-info';
import { type Check, type CheckInput, day, days } from './types';

/** At most this many CHAIN_INVALID findings; a hostile certificate can break every rule at once. */
const MAX_RULE_FINDINGS = 10;

/** How a message names the certificate at `index` of the path. */
function who(info: CertInfo, index: number, last: number, anchored: boolean): string {
  if (index === 0) return `the certificate "${info.subject}"`;
  return index === last && anchored ? `the root "${info.subject}"` : `intermediate "${info.subject}"`;
}

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
  const end = input.path[input.path.length - 1];

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
        message: `the chain ends at the root "${end.subject}", which is not trusted by ${ctx.trustSource}`,
      });
      break;
    case 'missing-issuer': {
      const missing = chain.missingIssuer ?? '';
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
          message: `the chain ends at "${end.subject}", issued by "${missing}", which is neither sent by the server nor trusted by ${ctx.trustSource}${aia(input)}`,
        });
      }
      break;
    }
    case 'trusted':
    case 'invalid':
      break;
  }

  const last = input.path.length - 1;
  const anchored = chain.end === 'trusted' || chain.end === 'invalid' || chain.end === 'untrusted-root';
  const rules = chain.problems.filter((p) => p.kind === 'rule');
  for (const problem of rules.slice(0, MAX_RULE_FINDINGS)) {
    findings.push({
      code: 'CHAIN_INVALID',
      severity: 'critical',
      message: `${who(input.path[problem.index], problem.index, last, anchored)} ${problem.message}`,
    });
  }
  if (rules.length > MAX_RULE_FINDINGS) {
    findings.push({ code: 'CHAIN_INVALID', severity: 'critical', message: `and ${rules.length - MAX_RULE_FINDINGS} more rules broken on the path` });
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

  // Every certificate above the leaf, the root too: valid through its notAfter's whole second.
  const now = ctx.now.getTime();
  input.path.forEach((info, i) => {
    if (i === 0) return;
    if (now >= info.notAfter.getTime() + 1000) {
      findings.push({
        code: 'CHAIN_CERT_EXPIRED',
        severity: 'critical',
        message: `${who(info, i, last, anchored)} expired on ${day(info.notAfter)} (${days(daysUntil(info.notAfter, ctx.now))} ago)`,
      });
    } else if (now < info.notBefore.getTime()) {
      findings.push({
        code: 'CHAIN_INVALID',
        severity: 'critical',
        message: `${who(info, i, last, anchored)} is not valid before ${info.notBefore.toISOString()}`,
      });
    }
  });
  return findings;
};
