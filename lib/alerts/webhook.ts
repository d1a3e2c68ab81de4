/**
 * A generic JSON webhook: the alert in words and in data, with each target's full report, for
 * whatever the receiver wants to do (a ticket, a pager, a log).
 */
import type { AlertMessage } from './message';

export function webhookPayload(message: AlertMessage): unknown {
  return {
    source: 'certcheck',
    kind: message.kind,
    title: message.title,
    status: message.label,
    summary: message.summary,
    counts: message.counts,
    text: message.text,
    total: message.total,
    // Where the status page opens, and until when (null: no link).
    statusPage: message.page ? { url: message.page.url, expiresAt: message.page.expiresAt } : null,
    // The worst MESSAGE_ITEMS; `total` counts them all.
    alerts: message.items.map((item) => ({
      target: item.target,
      status: item.label,
      ...(item.config ? { code: item.config.kind === 'skipped-line' ? 'CONFIG_INVALID' : null, configuration: item.config } : {}),
      previousStatus: item.alert?.previousStatus ?? null,
      why: item.why,
      reasons: item.alert?.reasons ?? [],
      problems: item.problems,
      // Facts that are no problem (CERT_CHANGED), apart from the problems.
      facts: item.facts,
      expires: item.expires,
      issuer: item.issuer,
      threshold: item.alert?.threshold ?? null,
      reportLocation: item.stored,
      // The report's key under the store's prefix, and a link to it (S3: presigned) with until when it works.
      reportKey: item.reportKey,
      reportLink: item.reportLink ? { url: item.reportLink.url, expiresAt: item.reportLink.expiresAt } : null,
      report: item.alert?.report ?? null,
    })),
  };
}
