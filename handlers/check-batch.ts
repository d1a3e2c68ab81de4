/**
 * The fan-out worker door (SQS, one batch of targets per message). Not built yet: every message
 * is handed back as a failure, so that nothing is lost (it lands in the dead-letter queue).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildDeps } from './deps';

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const deps = buildDeps();
  deps.log({ level: 'error', msg: 'checkBatch is not built yet; the batch is handed back', messages: event.Records.length });
  return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
}
