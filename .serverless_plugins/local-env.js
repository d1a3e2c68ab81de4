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
 */
const LOCAL_COMMANDS = new Set(['invoke local', 'offline', 'offline start']);
const CLOUD_ONLY = ['ALERT_WEBHOOKS_PARAMETER'];

class LocalEnv {
  constructor(serverless) {
    this.hooks = {
      initialize: () => {
        if (!LOCAL_COMMANDS.has(serverless.processedInput.commands.join(' '))) return;
        const { provider, functions } = serverless.service;
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
