/**
 * The webhook list (`ALERT_WEBHOOKS`, `--alert`): which chat service each URL is, and how to name
 * it without giving it away (a webhook URL is a secret: only its origin is ever logged).
 */
import { discordPayload } from './discord';
import { googleChatPayload } from './google-chat';
import type { AlertMessage } from './message';
import { slackPayload } from './slack';
import { teamsPayload } from './teams';
import { webhookPayload } from './webhook';

export type ChatService = 'slack' | 'teams' | 'discord' | 'googlechat' | 'webhook';

export const PAYLOAD_BUILDERS: Record<ChatService, (message: AlertMessage) => unknown> = {
  slack: slackPayload,
  teams: teamsPayload,
  discord: discordPayload,
  googlechat: googleChatPayload,
  webhook: webhookPayload,
};

export interface Webhook {
  service: ChatService;
  url: string;
  /** "slack https://hooks.slack.com/…": safe to log. */
  label: string;
  /**
   * What a targets file's `alerts:` calls it, lower-case: the `name=` before the URL
   * (`ops=slack+https://…`), else its service (`slack`). Several webhooks may share a name.
   */
  name: string;
}

export class WebhookError extends Error {
  override name = 'WebhookError';
}

const PREFIX = /^(slack|teams|discord|googlechat|webhook)\+/i;
/** `ops=` before a webhook: its name (a URL never has a "=" before its "://"). */
const NAME = /^([a-z][a-z0-9_-]{0,31})=/i;

/** The service a URL's host says, or null. */
function serviceByHost(url: URL): ChatService | null {
  const host = url.hostname.toLowerCase();
  if (host === 'hooks.slack.com') return 'slack';
  if (/^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/.test(host) && url.pathname.startsWith('/api/webhooks/')) return 'discord';
  if (/(^|\.)(logic\.azure\.com|webhook\.office\.com|powerplatform\.com|powerautomate\.com)$/.test(host) || host === 'flow.microsoft.com') {
    return 'teams';
  }
  if (host === 'chat.googleapis.com') return 'googlechat';
  return null;
}

/** What may be logged of a URL: its scheme and host, never its path or query. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * Why `raw` is not a URL, in words that never repeat it (a webhook URL is a secret; a scheme is
 * not). `new URL` says only "Invalid URL".
 */
function whyNotUrl(raw: string): string {
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(raw);
  if (!scheme) return 'it has no scheme (write it as https://…)';
  if (!raw.slice(scheme[0].length).startsWith('//')) return `"${scheme[1]}:" is not followed by "//"`;
  // The host and port, without any user:password@ before them.
  const host = (/^[^:]+:\/\/([^/?#]*)/.exec(raw)?.[1] ?? '').replace(/^.*@/, '');
  if (host === '') return 'it has no host';
  const port = /:([^:\]]*)$/.exec(host)?.[1];
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65_535)) return 'its port is not a number from 0 to 65535';
  return 'its host holds a character a URL does not allow';
}

/**
 * One entry of the list (called as Array#map calls it: with its index and the whole list, the
 * error names the entry by its position); a WebhookError naming only the redacted URL when it
 * is unusable.
 */
export function parseWebhook(entry: string, index?: number, list?: readonly string[]): Webhook {
  const where = index === undefined ? 'alert webhook' : `alert webhook ${index + 1}${list ? ` of ${list.length}` : ''}`;
  const named = NAME.exec(entry);
  const unnamed = named ? entry.slice(named[0].length) : entry;
  const prefix = PREFIX.exec(unnamed);
  const raw = prefix ? unnamed.slice(prefix[0].length) : unnamed;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookError(`${where} is not a URL: ${whyNotUrl(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookError(`${where} (${url.protocol}//…) must be https:// (or http://)`);
  const service = (prefix?.[1].toLowerCase() as ChatService | undefined) ?? serviceByHost(url);
  if (!service) {
    throw new WebhookError(
      `cannot tell which chat service ${where} (${redactUrl(raw)}) is: write it as webhook+${url.protocol}//… (or slack+, teams+, discord+, googlechat+)`,
    );
  }
  const name = named ? named[1].toLowerCase() : service;
  return { service, url: url.href, label: `${named ? `${name}: ` : ''}${service} ${redactUrl(raw)}`, name };
}

/** The list (commas, spaces or new lines between entries): usable webhooks, and why the rest are not. */
export function parseWebhookList(text: string): { webhooks: Webhook[]; errors: string[] } {
  const webhooks: Webhook[] = [];
  const errors: string[] = [];
  const entries = text.split(/[\s,]+/).filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    try {
      const webhook = parseWebhook(entry, index, entries);
      if (!webhooks.some((w) => w.url === webhook.url)) webhooks.push(webhook);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { webhooks, errors };
}
