/** The registry of checks, run in this order for every observation. */
import { checkChain } from './chain';
import { checkConnection } from './connection';
import { checkCrypto } from './crypto';
import { checkExpiry } from './expiry';
import { checkHostname } from './hostname';
import { checkKeyMatch } from './key-match';
import { checkKeyUsage } from './key-usage';
import { checkLegacyProtocol } from './legacy-protocol';
import { checkResumption } from './resumption';
import { checkRevocation } from './revocation';
import type { Check } from './types';
import { checkWebSocket } from './websocket';
import { checkWeakCipher } from './weak-cipher';

export const CHECKS: Readonly<Record<string, Check>> = {
  connection: checkConnection,
  expiry: checkExpiry,
  hostname: checkHostname,
  chain: checkChain,
  crypto: checkCrypto,
  keyUsage: checkKeyUsage,
  keyMatch: checkKeyMatch,
  resumption: checkResumption,
  revocation: checkRevocation,
  websocket: checkWebSocket,
  legacyProtocol: checkLegacyProtocol,
  weakCipher: checkWeakCipher,
};

export type { Check, CheckContext, CheckInput } from './types';
