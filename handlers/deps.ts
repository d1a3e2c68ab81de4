/**
 * Builds what the doors need once per process (per cold start in Lambda): the trust store,
 * the logger, one S3 client per endpoint and the report stores (buildDeps), and for the
 * scheduled door the alert webhooks and their poster (buildAlerting: an SSM parameter is read
 * once). Apart, so that the HTTP door's bundle carries no SSM client. Tests pass their own.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import { WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhookList, type Webhook } from '../lib/alerts/webhooks';
import type { BatchQueue } from '../lib/check-queue';
import { type AlertConfig, type CommonConfig, type QueueConfig, type ReadS3Text, trustStoreOf } from '../lib/config';
import type { LogEntry } from '../lib/log';
import { FsReportStore } from '../lib/store/fs';
import type { S3ClientSettings } from '../lib/store/s3';
import type { ReportStore } from '../lib/store/store';
import type { TrustStore } from '../lib/x509/trust-store';
import { quietNodeVersionWarning } from '../lib/sdk-warning';

export interface Deps {
  /** The CAs to trust as CA_FILE and CA_MODE say (the Mozilla roots without them), read once per process. */
  trustStoreFor: (config: Pick<CommonConfig, 'ca' | 's3'>) => Promise<TrustStore>;
  logger: Logger;
  /** One structured JSON line per event, through the logger. */
  log: (entry: LogEntry) => void;
  /** The store the configuration names (S3 loaded only when a bucket is used). */
  storeFor: (config: Pick<CommonConfig, 'store' | 's3'>) => Promise<ReportStore>;
  readS3Text: ReadS3Text;
}

/** Where alerts go, with why any configured entry is unusable, and the poster that sends them. */
export interface Alerting {
  webhooks: Webhook[];
  errors: string[];
  poster: WebhookPoster;
}

let built: Deps | undefined;

export function buildDeps(): Deps {
  if (built) return built;
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'certcheck' });
  const clients = new Map<string, Promise<S3Client>>();
  const stores = new Map<string, Promise<ReportStore>>();
  const trustStores = new Map<string, Promise<TrustStore>>();

  // The SDK is loaded on first use, so that a run on a local folder does not pay for it.
  function s3Client(settings: S3ClientSettings): Promise<S3Client> {
    const key = `${settings.endpoint ?? ''}|${settings.region ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      client = import('../lib/store/s3').then((m) => m.makeS3Client(settings));
      clients.set(key, client);
    }
    return client;
  }

  built = {
    trustStoreFor(config) {
      const key = config.ca === null ? '' : `${config.ca.mode}|${config.ca.file}`;
      let store = trustStores.get(key);
      if (!store) {
        store = trustStoreOf(config.ca, config.s3, built!.readS3Text);
        // A failed read is tried again at the next invocation (the object may be fixed by then).
        store.catch(() => trustStores.delete(key));
        trustStores.set(key, store);
      }
      return store;
    },
    logger,
    log: ({ level, msg, ...rest }) => logger[level](msg, rest),
    storeFor(config) {
      const { store: where, s3 } = config;
      const key = where.kind === 's3' ? `${s3.endpoint ?? ''}|s3://${where.location.bucket}/${where.location.prefix}` : where.dir;
      let store = stores.get(key);
      if (!store) {
        store =
          where.kind === 's3'
            ? Promise.all([import('../lib/store/s3'), s3Client(s3)]).then(([m, client]) => new m.S3ReportStore(client, where.location))
            : Promise.resolve(new FsReportStore(where.dir));
        stores.set(key, store);
      }
      return store;
    },
    readS3Text: async (settings, where) => {
      const [m, client] = await Promise.all([import('../lib/store/s3'), s3Client(settings)]);
      return m.readS3Text(client, where.bucket, where.prefix);
    },
  };
  return built;
}

const parameters = new Map<string, Promise<string>>();
let poster: WebhookPoster | undefined;

/** An SSM parameter's value, read once per process; a failed read is tried again at the next call. */
function parameter(name: string): Promise<string> {
  let value = parameters.get(name);
  if (!value) {
    value = Promise.all([import('@aws-sdk/client-ssm'), import('../lib/alerts/parameter')]).then(([sdk, m]) => {
      quietNodeVersionWarning();
      return m.readSecureParameter(new sdk.SSMClient({}), name);
    });
    value.catch(() => parameters.delete(name));
    parameters.set(name, value);
  }
  return value;
}

/** The webhooks of `ALERT_WEBHOOKS` and of the SSM parameter `ALERT_WEBHOOKS_PARAMETER` names. */
export async function buildAlerting(config: AlertConfig): Promise<Alerting> {
  const lists = [config.webhooks];
  const errors: string[] = [];
  if (config.parameter) {
    try {
      lists.push(await parameter(config.parameter));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  const parsed = parseWebhookList(lists.join(','));
  poster ??= new WebhookPoster();
  return { webhooks: parsed.webhooks, errors: [...errors, ...parsed.errors], poster };
}

const queues = new Map<string, Promise<BatchQueue>>();

/** The check queue (one SQS client per process; loaded only by the doors that fan out). */
export function buildQueue(config: QueueConfig): Promise<BatchQueue> {
  const key = `${config.endpoint ?? ''}|${config.url}`;
  let queue = queues.get(key);
  if (!queue) {
    queue = import('../lib/check-queue').then((m) => new m.SqsBatchQueue(m.makeSqsClient(config), config.url));
    queues.set(key, queue);
  }
  return queue;
}
