/** Why a connection gave no TLS handshake, as the contract's finding codes name it. */

export type ConnectFailure = 'CONNECTION_FAILED' | 'HANDSHAKE_FAILED' | 'TIMEOUT' | 'STARTTLS_REFUSED';

export class ConnectError extends Error {
  override name = 'ConnectError';
  constructor(
    readonly code: ConnectFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One line for an error: OpenSSL's short reason, or the message with its errno code. */
export function describeError(err: unknown): string {
  // OpenSSL errors carry a short reason; their message is a multi-line internal dump.
  const reason = (err as { reason?: unknown }).reason;
  if (typeof reason === 'string' && reason !== '') {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${reason} (${code})` : reason;
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
