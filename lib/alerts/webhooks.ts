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
}

export class WebhookError extends Error {
  override name = 'WebhookError';
}

const PREFIX = /^(slack|teams|discord|googlechat|webhook)\+/i;

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

/** One entry of the list; a WebhookError naming only the redacted URL when it is unusable. */
export function parseWebhook(entry: string): Webhook {
  const prefix = PREFIX.exec(entry);
  const raw = prefix ? entry.slice(prefix[0].length) : entry;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookError(`alert webhook "${redactUrl(raw)}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookError(`alert webhook ${url.protocol}//… must be https:// (or http://)`);
  const service = (prefix?.[1].toLowerCase() as ChatService | undefined) ?? serviceByHost(url);
  if (!service) {
    throw new WebhookError(
      `cannot tell which chat service alert webhook ${redactUrl(raw)} is: write it as webhook+${url.protocol}//… (or slack+, teams+, discord+, googlechat+)`,
    );
  }
  return { service, url: url.href, label: `${service} ${redactUrl(raw)}` };
}

/** The list (commas, spaces or new lines between entries): usable webhooks, and why the rest are not. */
export function parseWebhookList(text: string): { webhooks: Webhook[]; errors: string[] } {
  const webhooks: Webhook[] = [];
  const errors: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    try {
      const webhook = parseWebhook(entry);
      if (!webhooks.some((w) => w.url === webhook.url)) webhooks.push(webhook);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { webhooks, errors };
}
