/**
 * A structured targets file's `alerts:` and `labels:` in a scheduled run, end to end on
 * 127.0.0.1: each webhook gets only the targets routed to it, every service shows the labels,
 * and a name no webhook has is an error that drops nothing.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeliveryOptions, WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhook, parseWebhookList } from '../lib/alerts/webhooks';
import { readJobConfig } from '../lib/target-list-config';
import { runScheduled } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import { TrustStore } from '../lib/x509/trust-store';
import { runCli } from './fixtures/cli-run';
import { DAY, hierarchy, type Hierarchy } from './fixtures/pki';
import { closedPort, type RunningServer, startTlsServer } from './fixtures/tls-server';
import { startWebhookReceiver, type WebhookReceiver } from './fixtures/webhook-receiver';

const FAST: DeliveryOptions = { timeoutMs: 2_000, attempts: 1, backoffMs: 20, maxWaitMs: 1_000 };

let pki: Hierarchy;
let receiver: WebhookReceiver;
let soon: RunningServer;
let closed: number;
let dir: string;

beforeAll(async () => {
  [pki, receiver, closed] = await Promise.all([hierarchy('Routing'), startWebhookReceiver(), closedPort()]);
  soon = await startTlsServer({ chain: [await pki.leaf({ cn: 'soon', sans: ['127.0.0.1', 'localhost'], notAfter: new Date(Date.now() + 5.5 * DAY) }), pki.intermediate] });
  dir = await mkdtemp(join(tmpdir(), 'certcheck-routing-'));
});

afterAll(async () => {
  await Promise.all([soon.close(), receiver.close()]);
});

/** Runs the file's targets once with these webhooks; returns the run summary. */
async function run(name: string, yaml: string, webhooks: string) {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  const reports = join(dir, name);
  const config = await readJobConfig({ TARGETS_FILE: file, REPORTS_DIR: reports, CHECK_TIMEOUT_MS: '1500', ALL_ADDRESSES: 'false' });
  const { webhooks: list, errors } = parseWebhookList(webhooks);
  return runScheduled(config, {
    store: new FsReportStore(reports),
    trustStore: new TrustStore([pki.root.cert], 'the test roots'),
    log: () => undefined,
    alerting: { webhooks: list, errors, poster: new WebhookPoster(fetch, FAST) },
  });
}

const text = (path: string): string => receiver.postsTo(path).map((p) => JSON.stringify(p.body)).join('\n');

describe('alerts routed by a targets file', () => {
  it('names a webhook by the name before "=", else by its service', () => {
    expect(parseWebhook('ops=slack+https://hooks.example/a')).toMatchObject({ name: 'ops', service: 'slack', label: 'ops: slack https://hooks.example/…' });
    expect(parseWebhook('Payments=https://hooks.slack.com/services/x')).toMatchObject({ name: 'payments', service: 'slack' });
    expect(parseWebhook('webhook+https://hooks.example/b')).toMatchObject({ name: 'webhook', service: 'webhook' });
  });

  it('sends each webhook only its targets, with their labels, on every service; a target without alerts: goes to all', async () => {
    const yaml = [
      'targets:',
      `  - target: 127.0.0.1:${soon.port}`,
      '    alerts: [ops]',
      '    labels: [team ops, tier 1]',
      `  - target: localhost:${soon.port}`,
      '    address: 127.0.0.1',
      '    alerts: [payments]',
      '    labels: [team payments]',
      `  - 127.0.0.1:${closed}`,
      `  - target: localhost:${closed}`,
      '    address: 127.0.0.1',
      '    alerts: []',
    ].join('\n');
    const ops = ['slack', 'teams', 'discord', 'googlechat'].map((service) => `ops=${service}+${receiver.url(`/routed-${service}`)}`);
    const summary = await run('routed', yaml, [...ops, `payments=webhook+${receiver.url('/routed-pay')}`].join(','));

    expect(summary.alerts?.errors).toEqual([]);
    expect(summary.alerts?.deliveries.map((d) => d.ok)).toEqual([true, true, true, true, true]);
    for (const service of ['slack', 'teams', 'discord', 'googlechat']) {
      const body = text(`/routed-${service}`);
      expect(body).toContain(`127.0.0.1:${soon.port} [team ops, tier 1]`);
      expect(body).toContain(`127.0.0.1:${closed}`);
      expect(body).not.toContain('team payments');
      expect(body).not.toContain(`localhost:${closed}`);
    }
    const [pay] = receiver.postsTo('/routed-pay').map((p) => p.body as { alerts: { target: string; labels: string[] }[] });
    expect(pay.alerts.map((a) => [a.target, a.labels]).sort()).toEqual(
      [
        [`127.0.0.1:${closed}`, []],
        [`localhost:${soon.port} (127.0.0.1)`, ['team payments']],
      ].sort(),
    );
  });

  it('sends the target of a name no webhook has to every webhook, and says so in the summary', async () => {
    const yaml = `- target: 127.0.0.1:${soon.port}\n  alerts: [nobody, ops]\n`;
    const summary = await run('unknown', yaml, `ops=webhook+${receiver.url('/unknown-ops')},other=webhook+${receiver.url('/unknown-other')}`);
    expect(summary.alerts?.errors).toEqual([
      `alerts: no webhook is named "nobody" (the webhooks are named: ops, other); the alerts of 127.0.0.1:${soon.port} went to every webhook: fix the targets file or name a webhook nobody=…`,
    ]);
    expect(receiver.postsTo('/unknown-ops')).toHaveLength(1);
    expect(receiver.postsTo('/unknown-other')).toHaveLength(1);
  });

  it('remembers a target as told only when a webhook it went to took the message', async () => {
    receiver.always('/told-ops', { status: 400 });
    const yaml = [`- target: 127.0.0.1:${soon.port}`, '  alerts: [ops]', `- target: localhost:${soon.port}`, '  address: 127.0.0.1', '  alerts: [payments]'].join('\n');
    await run('told', yaml, `ops=webhook+${receiver.url('/told-ops')},payments=webhook+${receiver.url('/told-pay')}`);
    const store = new FsReportStore(join(dir, 'told'));
    expect(await store.getAlertMemory(`127.0.0.1_${soon.port}`)).toBeNull();
    expect(await store.getAlertMemory(`localhost_${soon.port}`)).not.toBeNull();
  });

  it('refuses in the CLI a name no --alert webhook has, naming the target, before checking', async () => {
    const file = join(dir, 'cli.yaml');
    await writeFile(file, `- target: 127.0.0.1:${soon.port}\n  alerts: [nobody]\n`);
    const { code, stderr } = await runCli(['--targets-file', file, '--out', join(dir, 'cli-out'), '--alert', `ops=webhook+${receiver.url('/cli')}`]);
    expect(code).toBe(64);
    expect(stderr).toBe(`certcheck: 127.0.0.1:${soon.port}: alerts: no webhook is named "nobody" (the --alert webhooks are named: ops; name one as --alert nobody=https://…)\n`);
  });
});
