/**
 * The fan-out worker door (SQS event source, one batch of targets per message): check the batch,
 * store its result, finish the run when it is the last. A message that fails is handed back
 * (ReportBatchItemFailures): SQS delivers it again, and after three receives puts it in the
 * dead-letter queue, where an alarm sees it.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { caReaderOf, readRunConfig } from '../lib/config';
import { runBatchMessage } from '../lib/fan-out';
import { deadlineMarginMs } from '../lib/scheduled-run';
import { parseBatchMessage } from '../lib/run-state';
import { buildAlerting, buildDeps } from './deps';
import { publishRunMetrics, publishTargetMetrics } from './run-metrics';

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  const deps = buildDeps();
  if (context) deps.logger.addContext(context);
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  let config;
  try {
    config = readRunConfig(process.env);
  } catch (err) {
    deps.log({ level: 'error', msg: 'configuration refused', error: (err as Error).message });
    return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
  }
  const { alerts, metricsPerTarget } = config;
  for (const record of event.Records) {
    try {
      const [store, trustStore] = await Promise.all([deps.storeFor(config), deps.trustStoreFor(config)]);
      const message = parseBatchMessage(record.body);
      const margin = deadlineMarginMs(message.settings);
      const outcome = await runBatchMessage(message, {
        ...deps,
        store,
        trustStore,
        readCa: caReaderOf(config.s3, deps.readS3Text),
        shouldStart: context ? () => context.getRemainingTimeInMillis() > margin : undefined,
        alerting: () => buildAlerting(alerts),
        onReport: (report) => publishTargetMetrics([report], { perTarget: metricsPerTarget, perAddress: message.settings.allAddresses }),
        schedule: config.schedule,
        onRunFinished: (summary) => publishRunMetrics(summary),
      });
      deps.log({ level: 'info', msg: 'batch done', runId: message.runId, batch: message.batch, checked: outcome.checked, finishedRun: outcome.finished !== null, finishMs: outcome.finishMs });
    } catch (err) {
      deps.log({ level: 'error', msg: 'batch failed', messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount, error: (err as Error).message });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
