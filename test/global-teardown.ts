/** Stops the shared S3-compatible server. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.certcheckS3?.close();
}
