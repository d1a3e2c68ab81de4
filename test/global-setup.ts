/** Starts the S3-compatible server the storage tests share; its address reaches them through the environment. */
import { startS3Server, S3_TEST_CREDENTIALS, type RunningS3 } from './fixtures/s3-server';

declare global {
  var certcheckS3: RunningS3 | undefined;
}

export default async function globalSetup(): Promise<void> {
  const s3 = await startS3Server();
  globalThis.certcheckS3 = s3;
  Object.assign(process.env, S3_TEST_CREDENTIALS, { S3_TEST_ENDPOINT: s3.endpoint, S3_TEST_BUCKET: s3.bucket });
}
