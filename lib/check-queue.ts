/**
 * The check queue: a run's batches sent to SQS (or an SQS-compatible server) with
 * SendMessageBatch, ten messages a request, each request under SQS's 256 KB; entries SQS
 * refuses are sent again, twice, before the send fails naming how many are left.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueConfig } from './config';
import type { BatchMessage } from './run-state';
import { quietNodeVersionWarning } from './sdk-warning';

/** The batches a queue did not take, and the last reason it gave. */
export interface QueueRefusal {
  failed: number[];
  error: string | null;
}

/** Where a run's batches go. */
export interface BatchQueue {
  /** Sends every message; returns the batches that could not be sent, and why (never throws). */
  send(messages: readonly BatchMessage[]): Promise<QueueRefusal>;
}

const ENTRIES_PER_REQUEST = 10;
/** Below SQS's 262,144 bytes for one request, with room for the request's own fields. */
const BYTES_PER_REQUEST = 200_000;
const ATTEMPTS = 3;

export function makeSqsClient(config: QueueConfig): SQSClient {
  quietNodeVersionWarning();
  return new SQSClient({ region: config.region || 'us-east-1', ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
}

/** Groups messages into requests of at most ten entries and BYTES_PER_REQUEST bytes. */
function requests(messages: readonly BatchMessage[]): BatchMessage[][] {
  const groups: BatchMessage[][] = [];
  let group: BatchMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(JSON.stringify(message));
    if (group.length === ENTRIES_PER_REQUEST || (group.length > 0 && bytes + size > BYTES_PER_REQUEST)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(message);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

export class SqsBatchQueue implements BatchQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly url: string,
  ) {}

  async send(messages: readonly BatchMessage[]): Promise<QueueRefusal> {
    const failed: number[] = [];
    let error: string | null = null;
    for (const request of requests(messages)) {
      let left = request;
      let reason = '';
      for (let attempt = 1; attempt <= ATTEMPTS && left.length > 0; attempt++) {
        try {
          const answer = await this.client.send(
            new SendMessageBatchCommand({ QueueUrl: this.url, Entries: left.map((m) => ({ Id: String(m.batch), MessageBody: JSON.stringify(m) })) }),
          );
          const refused = new Set((answer.Failed ?? []).map((f) => f.Id));
          reason = (answer.Failed ?? []).map((f) => `${f.Code}${f.Message ? `: ${f.Message}` : ''}`)[0] ?? '';
          left = left.filter((m) => refused.has(String(m.batch)));
        } catch (err) {
          reason = (err as Error).message;
        }
      }
      failed.push(...left.map((m) => m.batch));
      if (left.length > 0) error = reason || 'refused';
    }
    return { failed, error };
  }
}
