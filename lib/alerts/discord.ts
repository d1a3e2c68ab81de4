/**
 * Discord webhook: one embed with colour and fields, inside Discord's limits (title 256,
 * description 4,096, 25 fields of name 256 and value 1,024, footer 2,048, 6,000 characters in all).
 * Mentions are switched off (a certificate's subject must not ping @everyone) and links broken.
 */
import { type AlertMessage, breakLinks, clip, DIGEST_ITEMS, LABEL_COLOR, moreTargets } from './message';

export const DISCORD_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 };

interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

function colorNumber(hex: string): number {
  return Number.parseInt(hex.slice(1), 16);
}

function fieldOf(name: string, value: string, inline = false): EmbedField {
  return { name: clip(breakLinks(name), DISCORD_LIMITS.fieldName), value: clip(breakLinks(value) || '-', DISCORD_LIMITS.fieldValue), inline };
}

/** Characters Discord counts towards its 6,000 total. */
export function embedLength(embed: { title: string; description: string; fields: EmbedField[]; footer: { text: string } }): number {
  return embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
}

export function discordPayload(message: AlertMessage): unknown {
  const title = clip(message.title, DISCORD_LIMITS.title);
  let description: string;
  const fields: EmbedField[] = [];
  let footer: string;
  if (message.kind === 'single') {
    const [item] = message.items;
    description = clip(breakLinks([item.why, ...item.problems.map((p) => `• ${p}`)].join('\n')), DISCORD_LIMITS.description);
    fields.push(fieldOf('Status', item.label.toUpperCase(), true));
    if (item.expires) fields.push(fieldOf('Certificate', item.expires, true));
    if (item.issuer) fields.push(fieldOf('Issuer', item.issuer));
    fields.push(fieldOf('Report', item.stored));
    footer = `checked ${item.checkedAt}`;
  } else {
    description = clip(message.summary, DISCORD_LIMITS.description);
    const budget = DISCORD_LIMITS.total - title.length - description.length - 120; // room for the footer
    let used = 0;
    for (const item of message.items.slice(0, Math.min(DIGEST_ITEMS, DISCORD_LIMITS.fields))) {
      const field = fieldOf(
        `${item.label.toUpperCase()} ${item.target}`,
        [`${item.why}: ${item.problems.join('; ')}`, item.expires, `report ${item.stored}`].filter(Boolean).join('\n'),
      );
      if (used + field.name.length + field.value.length > budget) break;
      used += field.name.length + field.value.length;
      fields.push(field);
    }
    footer = moreTargets(message, fields.length) ?? 'certcheck';
  }
  return {
    username: 'certcheck',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        description,
        color: colorNumber(LABEL_COLOR[message.label]),
        fields,
        footer: { text: clip(footer, DISCORD_LIMITS.footer) },
        timestamp: message.items[0].checkedAt,
      },
    ],
  };
}
