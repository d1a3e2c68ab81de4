/** The verdict on the WebSocket opening handshake of a wss target: WEBSOCKET_UPGRADE_FAILED. */
import { createHash } from 'node:crypto';
import type { Finding, Report, WebSocketReport } from '../report';
import type { Protocol } from '../target';
import type { UpgradeObservation } from '../tls/websocket-upgrade';
import type { Check, CheckInput } from './types';

/** The GUID of RFC 6455, section 1.3, appended to the key before hashing. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` a server must answer to `key`: base64(SHA-1(key + GUID)). */
export function expectedAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/** The comma-separated tokens of a header, lower-case. */
function tokens(value: string | null): string[] {
  return (value ?? '').split(',').map((t) => t.trim().toLowerCase());
}

/** What is wrong with the answer (RFC 6455, section 4.2.2 as the client checks it in 4.1), or null when it upgraded. */
export function upgradeProblem(w: UpgradeObservation): string | null {
  if (w.error !== null) return w.statusLine === null ? w.error : `${w.error}; it began ${w.statusLine}`;
  if (w.status !== 101) return `the server answered ${w.statusLine ?? 'nothing'}, not 101 Switching Protocols`;
  if (w.upgrade === null || w.upgrade.trim().toLowerCase() !== 'websocket') {
    return `the 101 answer has ${w.upgrade === null ? 'no Upgrade header' : `Upgrade: ${JSON.stringify(w.upgrade.slice(0, 60))}`}, not "Upgrade: websocket"`;
  }
  if (!tokens(w.connection).includes('upgrade')) {
    return `the 101 answer has ${w.connection === null ? 'no Connection header' : `Connection: ${JSON.stringify(w.connection.slice(0, 60))}`}, not "Connection: Upgrade"`;
  }
  if (w.accept === null) return 'the 101 answer has no Sec-WebSocket-Accept';
  const expected = expectedAccept(w.key);
  if (w.accept !== expected) return `the 101 answer's Sec-WebSocket-Accept is ${JSON.stringify(w.accept.slice(0, 60))}, not ${JSON.stringify(expected)}`;
  return null;
}

export const checkWebSocket: Check = (input): Finding[] => {
  const w = input.websocket;
  if (w === undefined || w === null || w === 'skipped') return [];
  const problem = upgradeProblem(w);
  if (problem === null) return [];
  return [{ code: 'WEBSOCKET_UPGRADE_FAILED', severity: 'critical', message: `the WebSocket upgrade of ${w.path} failed: ${problem}` }];
};

/**
 * The report's `websocket`: undefined (left out) for targets that are not wss; for wss the status
 * received and the time of the exchange, `{ skipped: true }` with --no-upgrade, null when no
 * handshake completed (there was nothing to upgrade).
 */
export function websocketReport(protocol: Protocol, input: Pick<CheckInput, 'websocket'>): Report['websocket'] {
  if (protocol !== 'wss') return undefined;
  const w = input.websocket;
  if (w === 'skipped') return { skipped: true } satisfies WebSocketReport;
  if (w === undefined || w === null) return null;
  return { status: w.status, ms: w.ms };
}
