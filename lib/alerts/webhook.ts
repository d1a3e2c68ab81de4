/**
 * A generic JSON webhook: the alert in words and in data, with each target's report key and
 * link, for whatever the receiver wants to do (a ticket, a pager, a log). A single alert carries
 * its full report as well when it is small; a digest never does (2,000 reports made a 2.2 MB
 * POST, which many receivers refuse).
 */
import type { Report } from '../report';
import type { AlertItem, AlertMessage } from './message';

/** A single alert carries its report whole when the report's JSON is under this many bytes. */
export const EMBEDDED_REPORT_BYTES = 64 * 1024;

function embeddedReport(message: AlertMessage, item: AlertItem): Report | null {
  const report = item.alert?.report;
  if (!report || message.kind !== 'single') return null;
  return Buffer.byteLength(JSON.stringify(report)) < EMBEDDED_REPORT_BYTES ? report : null;
}

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
      // The target's labels from a structured targets file ([] without any).
      labels: item.labels,
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
      // Whole only in a single alert and under EMBEDDED_REPORT_BYTES; else the key and link say where it is.
      report: embeddedReport(message, item),
    })),
  };
}
