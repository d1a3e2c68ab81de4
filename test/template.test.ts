/**
 * The CloudFormation that `serverless package` makes of serverless.yml, offline, with dummy
 * credentials and an empty home, as CI packages it: the queues, the worker's event source, the
 * roles, the limits, the bucket and the alarms.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Resource {
  Type: string;
  Properties: Record<string, Json>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Template {
  Conditions: Record<string, Json>;
  Resources: Record<string, Resource>;
}
interface Statement {
  Effect: string;
  Action: string[];
  Resource: Json;
  Condition?: Json;
}

const root = resolve(__dirname, '..');
const DAY_S = 86_400;

/** Packages the service into a temporary folder and reads the stack template it made. */
async function packaged(env: Record<string, string>, params: string[] = []): Promise<Template> {
  const [home, out] = await Promise.all([mkdtemp(join(tmpdir(), 'certcheck-home-')), mkdtemp(join(tmpdir(), 'certcheck-package-'))]);
  try {
    await promisify(execFile)(process.execPath, [require.resolve('serverless/bin/serverless.js'), 'package', '--package', out, ...params.map((p) => `--param=${p}`)], {
      cwd: root,
      // Only what packaging needs: no AWS configuration, no settings of the shell that runs the tests.
      env: { PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', npm_config_update_notifier: 'false', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  } finally {
    await Promise.all([rm(home, { recursive: true, force: true }), rm(out, { recursive: true, force: true })]);
  }
}

/** Whether a condition holds: the template's conditions compare literals once packaged. */
function holds(template: Template, name: string): boolean {
  const evaluate = (expr: Json): boolean | string => {
    if (typeof expr === 'string') return expr;
    const node = expr as Record<string, Json[]>;
    if ('Fn::Not' in node) return !evaluate(node['Fn::Not'][0]);
    if ('Fn::Equals' in node) return evaluate(node['Fn::Equals'][0]) === evaluate(node['Fn::Equals'][1]);
    if ('Condition' in node) return holds(template, node.Condition as unknown as string);
    throw new Error(`condition form not handled here: ${JSON.stringify(expr)}`);
  };
  const value = evaluate(template.Conditions[name]);
  if (typeof value !== 'boolean') throw new Error(`${name} is not a condition`);
  return value;
}

/** The value as deployed: every Fn::If replaced by the branch its condition picks. */
function deployed(template: Template, value: Json): Json {
  if (Array.isArray(value)) return value.map((v) => deployed(template, v));
  if (value === null || typeof value !== 'object') return value;
  if ('Fn::If' in value) {
    const [name, yes, no] = value['Fn::If'] as [string, Json, Json];
    return deployed(template, holds(template, name) ? yes : no);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployed(template, v)]));
}

function resource(template: Template, id: string): Resource {
  const found = template.Resources[id];
  if (!found) throw new Error(`no ${id} in the template`);
  return found;
}

function ofType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The statements of a role's inline policies, each Action as a list, Fn::If resolved. */
function statements(template: Template, roleId: string): Statement[] {
  const policies = resource(template, roleId).Properties.Policies as { PolicyDocument: { Statement: Json[] } }[];
  return policies
    .flatMap((p) => p.PolicyDocument.Statement)
    .map((s) => deployed(template, s) as unknown as Statement & { Action: string | string[] })
    .map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action) }));
}

function actions(template: Template, roleId: string): string[] {
  return [...new Set(statements(template, roleId).flatMap((s) => s.Action))].sort();
}

/** The statements that allow `action`. */
function allowing(template: Template, roleId: string, action: string): Statement[] {
  return statements(template, roleId).filter((s) => s.Effect === 'Allow' && s.Action.includes(action));
}

/** An ARN written as Fn::Sub, its text (the variables map is checked by the caller's expectation). */
function subText(value: Json): string {
  const sub = (value as { 'Fn::Sub': Json })['Fn::Sub'];
  return typeof sub === 'string' ? sub : ((sub as Json[])[0] as string);
}

/** Fn::Sub with a variables map, the map's variables put in: `${ReportsBucket.Arn}/prod/latest/*`. */
function subResolved(value: Json): string {
  const sub = (value as { 'Fn::Sub': Json })['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  const [text, vars] = sub as [string, Record<string, string>];
  return text.replace(/\$\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** Every object httpCheck may read, its ARN with the prefix put in, sorted. */
function readable(template: Template): string[] {
  return allowing(template, 'HttpCheckRole', 's3:GetObject')
    .flatMap((st) => ([] as Json[]).concat(st.Resource))
    .map(subResolved)
    .sort();
}

/** Each API Gateway method as "GET /reports/latest", with what it needs and where it goes. */
function routes(template: Template): Record<string, { apiKey: Json; type: Json; uri: string }> {
  const pathOf = (ref: Json): string => {
    if (typeof ref === 'object' && ref !== null && 'Fn::GetAtt' in ref) return '';
    const parent = resource(template, (ref as { Ref: string }).Ref).Properties;
    return `${pathOf(parent.ParentId)}/${parent.PathPart as string}`;
  };
  return Object.fromEntries(
    ofType(template, 'AWS::ApiGateway::Method').map(([, m]) => {
      const integration = m.Properties.Integration as { Type: Json; Uri: Json };
      return [`${m.Properties.HttpMethod as string} ${pathOf(m.Properties.ResourceId)}`, { apiKey: m.Properties.ApiKeyRequired, type: integration.Type, uri: JSON.stringify(integration.Uri) }];
    }),
  );
}

function functionOf(template: Template, name: string): Resource {
  return resource(template, `${name[0].toUpperCase()}${name.slice(1)}LambdaFunction`);
}

let plain: Template;
let prefixed: Template;

beforeAll(async () => {
  // One after the other: packaging bundles in the service's own .esbuild folder.
  plain = await packaged({});
  prefixed = await packaged({ S3_PREFIX: 'prod' }, ['workerConcurrency=20', 'alarmEmail=ops@example.com', 'httpConcurrency=3']);
}, 120_000);

describe('the packaged template', () => {
  describe('the check queue', () => {
    it('hands a batch that failed three times to the dead-letter queue, which keeps it 14 days', () => {
      const queue = resource(plain, 'CheckQueue');
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['CheckDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 });
      expect(resource(plain, 'CheckDeadLetterQueue').Properties.MessageRetentionPeriod).toBe(14 * DAY_S);
    });

    it('hides a message for at least six times the worker timeout', () => {
      const timeout = functionOf(plain, 'checkBatch').Properties.Timeout as number;
      expect(timeout).toBe(300);
      expect(resource(plain, 'CheckQueue').Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    });

    it('feeds checkBatch one message at a time, with partial batch failures and a concurrency cap', () => {
      const mappings = ofType(plain, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      const [, mapping] = mappings[0];
      expect(mapping.Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': ['CheckQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['CheckBatchLambdaFunction', 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 10 },
      });
      expect(ofType(prefixed, 'AWS::Lambda::EventSourceMapping')[0][1].Properties.ScalingConfig).toEqual({ MaximumConcurrency: 20 });
    });

    it('gives scheduledCheck the queue URL and the batch size, and checkBatch the job settings scheduledCheck has', () => {
      const scheduled = (functionOf(plain, 'scheduledCheck').Properties.Environment as { Variables: Record<string, Json> }).Variables;
      const worker = (functionOf(plain, 'checkBatch').Properties.Environment as { Variables: Record<string, Json> }).Variables;
      expect(scheduled).toMatchObject({ CHECK_QUEUE_URL: { Ref: 'CheckQueue' }, BATCH_SIZE: '50' });
      // The status page's "next run" comes from the schedule, whichever step finishes the run.
      expect(scheduled.SCHEDULE).toBe('rate(1 day)');
      for (const name of ['ALL_ADDRESSES', 'CHECK_TIMEOUT_MS', 'ALERT_WEBHOOKS_PARAMETER', 'ALERT_THRESHOLDS', 'METRICS_PER_TARGET', 'SCHEDULE']) {
        expect([name, worker[name]]).toEqual([name, scheduled[name]]);
      }
      expect(worker).not.toHaveProperty('CHECK_QUEUE_URL');
      // The heap cap that keeps the finishing worker's memory flat (npm run bench measures it so).
      expect(worker.NODE_OPTIONS).toBe('--enable-source-maps --max-old-space-size=128');
    });
  });

  describe('the schedule', () => {
    it('sends a failed invocation to ScheduleFailureQueue without retrying it', () => {
      const [[, config]] = ofType(plain, 'AWS::Lambda::EventInvokeConfig');
      expect(config.Properties).toMatchObject({
        FunctionName: { Ref: 'ScheduledCheckLambdaFunction' },
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['ScheduleFailureQueue', 'Arn'] } } },
      });
      expect(allowing(plain, 'ScheduledCheckRole', 'sqs:SendMessage').map((s) => s.Resource)).toContainEqual({ 'Fn::GetAtt': ['ScheduleFailureQueue', 'Arn'] });
    });
  });

  describe('the roles', () => {
    const roles = { httpCheck: 'HttpCheckRole', scheduledCheck: 'ScheduledCheckRole', checkBatch: 'CheckBatchRole' };

    it('are one per function, with no shared role left', () => {
      for (const [fn, role] of Object.entries(roles)) expect([fn, functionOf(plain, fn).Properties.Role]).toEqual([fn, { 'Fn::GetAtt': [role, 'Arn'] }]);
      expect(plain.Resources).not.toHaveProperty('IamRoleLambdaExecution');
      expect(ofType(plain, 'AWS::IAM::Role').map(([id]) => id).sort()).toEqual(Object.values(roles).sort());
    });

    it('may each write only to their own function log group, and no statement allows everything', () => {
      for (const [fn, role] of Object.entries(roles)) {
        const logs = statements(plain, role).filter((s) => s.Action.some((a) => a.startsWith('logs:')));
        expect(logs).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [`${fn[0].toUpperCase()}${fn.slice(1)}LogGroup`, 'Arn'] } }]);
        for (const s of statements(plain, role)) {
          expect(s.Action.some((a) => a.includes('*'))).toBe(false);
          expect(s.Resource).not.toBe('*');
        }
      }
    });

    it('let httpCheck read latest/, the fleet index and the status page, and list those, nothing more: no write, no SSM, no queue', () => {
      expect(actions(plain, 'HttpCheckRole')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:ListBucket']);
      expect(readable(plain)).toEqual(['${ReportsBucket.Arn}/index.html', '${ReportsBucket.Arn}/index.json', '${ReportsBucket.Arn}/latest/*']);
      const [list] = allowing(plain, 'HttpCheckRole', 's3:ListBucket');
      expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['latest/*', 'index.json', 'index.html'] } });
    });

    it('let scheduledCheck read and write the bucket, forget alerts, send batches and read the webhook parameter', () => {
      expect(actions(plain, 'ScheduledCheckRole')).toEqual(
        ['logs:CreateLogStream', 'logs:PutLogEvents', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sqs:SendMessage', 'ssm:GetParameter'].sort(),
      );
      expect(allowing(plain, 'ScheduledCheckRole', 'sqs:SendMessage').map((s) => s.Resource)).toContainEqual({ 'Fn::GetAtt': ['CheckQueue', 'Arn'] });
      expect(subResolved(allowing(plain, 'ScheduledCheckRole', 's3:DeleteObject')[0].Resource)).toBe('${ReportsBucket.Arn}/alerts/*');
      expect(subText(allowing(plain, 'ScheduledCheckRole', 'ssm:GetParameter')[0].Resource)).toBe(
        'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/certcheck/dev/alert-webhooks',
      );
    });

    it('let checkBatch take messages from the check queue but send none, use the bucket and read the webhook parameter', () => {
      expect(actions(plain, 'CheckBatchRole')).toEqual(
        [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          's3:DeleteObject',
          's3:GetObject',
          's3:ListBucket',
          's3:PutObject',
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
          'ssm:GetParameter',
        ].sort(),
      );
      for (const s of statements(plain, 'CheckBatchRole').filter((st) => st.Action.some((a) => a.startsWith('sqs:')))) {
        expect(s.Resource).toEqual({ 'Fn::GetAtt': ['CheckQueue', 'Arn'] });
      }
    });
  });

  describe('the API', () => {
    it('routes GET /reports and GET /status, beside the others, to httpCheck, each behind the API key', () => {
      const all = routes(plain);
      expect(Object.keys(all).sort()).toEqual(['GET /check', 'GET /reports', 'GET /reports/latest', 'GET /status', 'POST /check']);
      for (const [route, method] of Object.entries(all)) {
        expect([route, method.apiKey, method.type]).toEqual([route, true, 'AWS_PROXY']);
        expect(method.uri).toContain('"HttpCheckLambdaFunction","Arn"');
      }
    });
  });

  describe('the limits', () => {
    it('reserve one execution for scheduledCheck and httpConcurrency for httpCheck, none for the workers', () => {
      expect(functionOf(plain, 'scheduledCheck').Properties.ReservedConcurrentExecutions).toBe(1);
      expect(functionOf(plain, 'httpCheck').Properties.ReservedConcurrentExecutions).toBe(5);
      expect(functionOf(prefixed, 'httpCheck').Properties.ReservedConcurrentExecutions).toBe(3);
      expect(functionOf(plain, 'checkBatch').Properties).not.toHaveProperty('ReservedConcurrentExecutions');
    });

    it('throttle the API key and give it a daily quota', () => {
      const [[, plan]] = ofType(plain, 'AWS::ApiGateway::UsagePlan');
      expect(plan.Properties).toMatchObject({ Throttle: { RateLimit: 5, BurstLimit: 10 }, Quota: { Limit: 2000, Period: 'DAY' } });
      expect(ofType(plain, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(1);
    });

    it("give API Gateway's own refusals (throttled, over quota, no key) the contract's error shape", () => {
      const responses = ofType(plain, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties);
      expect(responses.map((r) => r.ResponseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
      for (const response of responses) {
        expect(response.RestApiId).toEqual({ Ref: 'ApiGatewayRestApi' });
        // API Gateway puts the reason in as it is and the message as a quoted JSON string.
        const template = (response.ResponseTemplates as Record<string, string>)['application/json'];
        const body = template.replace('$context.error.responseType', 'THROTTLED').replace('$context.error.messageString', '"Too Many Requests"');
        expect(JSON.parse(body)).toEqual({ error: { code: 'THROTTLED', message: 'Too Many Requests' } });
      }
    });
  });

  describe('the report bucket', () => {
    it('is kept when the stack is removed or the bucket replaced', () => {
      expect(resource(plain, 'ReportsBucket')).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    it('refuses every request made without TLS, on the bucket and its objects', () => {
      const policy = resource(plain, 'ReportsBucketPolicy');
      expect(policy.Properties.Bucket).toEqual({ Ref: 'ReportsBucket' });
      expect((policy.Properties.PolicyDocument as { Statement: Json[] }).Statement).toContainEqual({
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [{ 'Fn::GetAtt': ['ReportsBucket', 'Arn'] }, { 'Fn::Sub': '${ReportsBucket.Arn}/*' }],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    });

    it('expires reports/ after reportRetentionDays and run-state/ after 14 days, under S3_PREFIX when there is one', () => {
      const rules = (template: Template) =>
        (deployed(template, resource(template, 'ReportsBucket').Properties.LifecycleConfiguration) as { Rules: { Prefix: string; ExpirationInDays: number; Status: string }[] }).Rules.map(
          ({ Prefix, ExpirationInDays, Status }) => ({ Prefix, ExpirationInDays, Status }),
        );
      expect(rules(plain)).toEqual([
        { Prefix: 'reports/', ExpirationInDays: 400, Status: 'Enabled' },
        { Prefix: 'run-state/', ExpirationInDays: 14, Status: 'Enabled' },
      ]);
      expect(rules(prefixed)).toEqual([
        { Prefix: 'prod/reports/', ExpirationInDays: 400, Status: 'Enabled' },
        { Prefix: 'prod/run-state/', ExpirationInDays: 14, Status: 'Enabled' },
      ]);
    });

    it('confines the roles to keys under S3_PREFIX where they name keys', () => {
      expect(readable(prefixed)).toEqual(['${ReportsBucket.Arn}/prod/index.html', '${ReportsBucket.Arn}/prod/index.json', '${ReportsBucket.Arn}/prod/latest/*']);
      expect(allowing(prefixed, 'HttpCheckRole', 's3:ListBucket')[0].Condition).toEqual({ StringLike: { 's3:prefix': ['prod/latest/*', 'prod/index.json', 'prod/index.html'] } });
      for (const role of ['ScheduledCheckRole', 'CheckBatchRole']) {
        expect(subResolved(allowing(prefixed, role, 's3:DeleteObject')[0].Resource)).toBe('${ReportsBucket.Arn}/prod/alerts/*');
      }
    });
  });

  describe('the alarms', () => {
    const alarmIds = ['ScheduledCheckErrorsAlarm', 'CheckDeadLetterAlarm', 'ScheduleFailureAlarm', 'RunsMissingAlarm'];

    it('are four, each telling AlarmTopic', () => {
      expect(ofType(plain, 'AWS::CloudWatch::Alarm').map(([id]) => id).sort()).toEqual([...alarmIds].sort());
      expect(resource(plain, 'AlarmTopic').Type).toBe('AWS::SNS::Topic');
      for (const id of alarmIds) expect([id, resource(plain, id).Properties.AlarmActions]).toEqual([id, [{ Ref: 'AlarmTopic' }]]);
    });

    it('go off on one scheduledCheck error, or one message in either failure queue', () => {
      const once = { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' };
      expect(resource(plain, 'ScheduledCheckErrorsAlarm').Properties).toMatchObject({
        ...once,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ScheduledCheckLambdaFunction' } }],
      });
      for (const [id, queue] of [
        ['CheckDeadLetterAlarm', 'CheckDeadLetterQueue'],
        ['ScheduleFailureAlarm', 'ScheduleFailureQueue'],
      ]) {
        expect(resource(plain, id).Properties).toMatchObject({
          ...once,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        });
      }
    });

    it('go off when no run finished in 26 hours: missing RunsFinished counts as breaching, within CloudWatch limits', () => {
      const alarm = resource(plain, 'RunsMissingAlarm').Properties;
      const env = (functionOf(plain, 'checkBatch').Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(alarm).toMatchObject({
        Namespace: env.POWERTOOLS_METRICS_NAMESPACE,
        MetricName: 'RunsFinished',
        Dimensions: [{ Name: 'service', Value: env.POWERTOOLS_SERVICE_NAME }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('certcheck');
      const period = alarm.Period as number;
      const periods = alarm.EvaluationPeriods as number;
      // Every period of the window must be empty, and the window is 26 hours.
      expect(alarm.DatapointsToAlarm).toBe(periods);
      expect(period * periods).toBe(26 * 3600);
      // CloudWatch: Period × EvaluationPeriods at most 7 days, and at most 1 day for periods under an hour.
      expect(period).toBeGreaterThanOrEqual(3600);
      expect(period * periods).toBeLessThanOrEqual(7 * DAY_S);
    });

    it('mail alarmEmail when it is given, and nobody when it is not', () => {
      const subscription = resource(plain, 'AlarmEmailSubscription');
      expect(subscription.Condition).toBe('HasAlarmEmail');
      expect(holds(plain, 'HasAlarmEmail')).toBe(false);
      expect(holds(prefixed, 'HasAlarmEmail')).toBe(true);
      expect(resource(prefixed, 'AlarmEmailSubscription').Properties).toEqual({ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' });
    });
  });
});

describe('serverless offline', () => {
  it('leaves the schedule off (scheduledCheck runs when invoked, not at midnight), where the deployed rule is on', async () => {
    const home = await mkdtemp(join(tmpdir(), 'certcheck-home-'));
    const child = spawn(process.execPath, [require.resolve('serverless/bin/serverless.js'), 'offline', '--httpPort', '0', '--lambdaPort', '0', '--websocketPort', '0', '--noSponsor'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', npm_config_update_notifier: 'false' },
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const read = (chunk: Buffer) => {
          output += chunk.toString('utf8');
          if (output.includes('Server ready')) resolve();
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.on('exit', (code) => reject(new Error(`serverless offline ended (${code}): ${output}`)));
      });
    } finally {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
      await rm(home, { recursive: true, force: true });
    }

    expect(output).toContain('Scheduling [scheduledCheck] cron: disabled');
    const rules = ofType(plain, 'AWS::Events::Rule');
    expect(rules.map(([, rule]) => rule.Properties.State)).toEqual(['ENABLED']);
  }, 60_000);
});
