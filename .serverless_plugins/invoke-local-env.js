'use strict';
/**
 * `serverless invoke local` resolves each CloudFormation reference in a function's environment by
 * asking AWS about the deployed stack. The report bucket is such a reference (S3_BUCKET: !Ref
 * ReportsBucket), and on a developer's machine there may be no stack and no network. For invoke
 * local only, references are dropped, so the handler stores to REPORTS_DIR (./reports), or to
 * the S3_BUCKET and S3_ENDPOINT set in the shell. Packaging and deploying keep them.
 */
class InvokeLocalEnv {
  constructor(serverless) {
    this.hooks = {
      initialize: () => {
        const [command, sub] = serverless.processedInput.commands;
        if (command !== 'invoke' || sub !== 'local') return;
        const environments = [serverless.service.provider.environment, ...Object.values(serverless.service.functions).map((f) => f.environment)];
        for (const env of environments) {
          for (const [name, value] of Object.entries(env || {})) {
            if (value !== null && typeof value === 'object') delete env[name];
          }
        }
      },
    };
  }
}

module.exports = InvokeLocalEnv;
