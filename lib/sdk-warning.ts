/**
 * The AWS SDK warns, once per process and in six lines, that its releases after January 2027
 * need Node 22. certcheck supports Node 20 (the README recommends 22), so where certcheck makes
 * an AWS client it turns that one warning off with the SDK's own switch, unless the user set it.
 */
export function quietNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
