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
    alerts: message.items.map((item) => ({
      target: item.target,
      status: item.label,
      previousStatus: item.alert.previousStatus,
      why: item.why,
      reasons: item.alert.reasons,
      problems: item.problems,
      expires: item.expires,
      issuer: item.issuer,
      threshold: item.alert.threshold,
      reportLocation: item.stored,
      report: item.alert.report,
    })),
  };
}
