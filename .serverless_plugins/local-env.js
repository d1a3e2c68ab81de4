'use strict';
/**
 * `serverless invoke local` resolves each CloudFormation reference in a function's environment by
 * asking AWS about the deployed stack, and `serverless offline` passes it on as "[object Object]".
 * The report bucket is such a reference (S3_BUCKET: !Ref ReportsBucket), and so is the check
 * queue (CHECK_QUEUE_URL: !Ref CheckQueue); on a developer's machine there may be no stack and no
 * network. For these two local commands only, references are dropped, so the handlers store to
 * REPORTS_DIR (./reports), or to the S3_BUCKET and S3_ENDPOINT set in the shell, and a scheduled
 * run checks its targets in one process unless the shell names a queue. Likewise the SSM parameter that holds the webhooks in the cloud
 * is dropped unless the shell names one: local runs take ALERT_WEBHOOKS from the shell.
 * Packaging and deploying keep them.
 *
 * `serverless offline` would also run every schedule event (serverless-offline turns
 * `rate(1 day)` into a cron at midnight): a whole scheduled run, alerts included, that nobody
 * asked for on a developer's machine. Offline, schedules are switched off with the event's own
 * `enabled: false`, which serverless-offline honours; `invoke local -f scheduledCheck` runs one.
 */
const LOCAL_COMMANDS = new Set(['invoke local', 'offline', 'offline start']);
const CLOUD_ONLY = ['ALERT_WEBHOOKS_PARAMETER'];
const OFFLINE_COMMANDS = new Set(['offline', 'offline start']);

class LocalEnv {
  constructor(serverless) {
    this.hooks = {
      initialize: () => {
        const command = serverless.processedInput.commands.join(' ');
        if (!LOCAL_COMMANDS.has(command)) return;
        const { provider, functions } = serverless.service;
        if (OFFLINE_COMMANDS.has(command)) {
          for (const fn of Object.values(functions)) {
            for (const event of fn.events || []) {
              if (event.schedule) event.schedule = { ...(typeof event.schedule === 'string' ? { rate: event.schedule } : event.schedule), enabled: false };
            }
          }
        }
        for (const env of [provider.environment, ...Object.values(functions).map((f) => f.environment)]) {
          for (const [name, value] of Object.entries(env || {})) {
            if (value !== null && typeof value === 'object') delete env[name];
            else if (CLOUD_ONLY.includes(name) && !process.env[name]) delete env[name];
          }
        }
      },
    };
  }
}

module.exports = LocalEnv;
