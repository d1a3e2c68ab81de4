/**
 * Discord webhook: one embed with colour and fields, inside Discord's limits (title 256,
 * description 4,096, 25 fields of name 256 and value 1,024, footer 2,048, 6,000 characters in all).
 * Mentions are switched off (a certificate's subject must not ping @everyone) and links broken.
 */
import type { PageLink } from '../store/store';
import { type AlertItem, type AlertMessage, breakLinks, clip, DIGEST_ITEMS, FACT_LABEL, isWebLink, itemName, LABEL_COLOR, moreTargets, PAGE_LINK_TEXT, pageValidity, REPORT_LINK_TEXT } from './message';
import { personTime } from '../format';

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

/**
 * The status page as the last field: a Markdown link when it fits a field's 1,024 characters
 * (the embed's title links it in any case), else words; a file:// URL is shown as text only.
 */
function pageField(page: PageLink): EmbedField {
  const until = pageValidity(page);
  const suffix = until ? ` (${until})` : '';
  const link = `[${PAGE_LINK_TEXT}](${page.url})${suffix}`;
  if (!isWebLink(page)) return fieldOf('Status page', `${page.url}${suffix}`);
  return { name: 'Status page', value: link.length <= DISCORD_LIMITS.fieldValue ? link : clip(`the title opens it${suffix}`, DISCORD_LIMITS.fieldValue), inline: false };
}

/** The report's Markdown link with until when it works, or null without one. */
function reportLink(item: AlertItem): string | null {
  if (!item.reportLink || !isWebLink(item.reportLink)) return null;
  const until = pageValidity(item.reportLink);
  return `[${REPORT_LINK_TEXT}](${item.reportLink.url})${until ? ` (${until})` : ''}`;
}

/**
 * The report in a field: its link when it fits in `room`, else where it is stored (a presigned
 * URL with Lambda's session token runs past a thousand characters).
 */
function reportText(item: AlertItem, room: number): string {
  const link = reportLink(item);
  return link !== null && link.length <= room ? link : breakLinks(item.stored);
}

export function discordPayload(message: AlertMessage): unknown {
  const title = clip(message.title, DISCORD_LIMITS.title);
  let description: string;
  const fields: EmbedField[] = [];
  let footer: string;
  const page = message.page ? pageField(message.page) : null;
  if (message.kind === 'single') {
    const [item] = message.items;
    // A link too long for a field goes in the description, which holds 4,096 characters.
    const link = reportLink(item);
    const inField = link !== null && link.length <= DISCORD_LIMITS.fieldValue;
    const linkLine = link !== null && !inField ? `\n${link}` : '';
    description = `${clip(breakLinks([item.why, ...item.problems.map((p) => `• ${p}`)].join('\n')), DISCORD_LIMITS.description - linkLine.length)}${linkLine}`;
    fields.push(fieldOf('Status', item.label.toUpperCase(), true));
    if (item.expires) fields.push(fieldOf('Certificate', item.expires, true));
    if (item.issuer) fields.push(fieldOf('Issuer', item.issuer));
    for (const fact of item.facts) fields.push(fieldOf(FACT_LABEL, fact));
    fields.push({ name: 'Report', value: clip(reportText(item, DISCORD_LIMITS.fieldValue), DISCORD_LIMITS.fieldValue), inline: false });
    if (page) fields.push(page);
    footer = `checked ${personTime(item.checkedAt)}`;
  } else {
    description = clip(message.summary, DISCORD_LIMITS.description);
    // Room for the footer and the status page's field.
    const budget = DISCORD_LIMITS.total - title.length - description.length - 120 - (page ? page.name.length + page.value.length : 0);
    let used = 0;
    for (const item of message.items.slice(0, Math.min(DIGEST_ITEMS, DISCORD_LIMITS.fields - (page ? 1 : 0)))) {
      const words = fieldOf(
        `${item.label.toUpperCase()} ${itemName(item)}`,
        [[item.why, ...item.problems.map((p) => `• ${p}`)].join('\n'), ...item.facts.map((f) => `${FACT_LABEL}: ${f}`), item.expires].filter(Boolean).join('\n'),
      );
      // The report last, whole: its link must not be cut.
      const report = `\nreport ${reportText(item, DISCORD_LIMITS.fieldValue / 2)}`;
      const field = { ...words, value: `${clip(words.value, DISCORD_LIMITS.fieldValue - report.length)}${report}` };
      if (used + field.name.length + field.value.length > budget) break;
      used += field.name.length + field.value.length;
      fields.push(field);
    }
    footer = moreTargets(message, fields.length) ?? 'certcheck';
    if (page) fields.push(page);
  }
  return {
    username: 'certcheck',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        ...(message.page && isWebLink(message.page) ? { url: message.page.url } : {}),
        description,
        color: colorNumber(LABEL_COLOR[message.label]),
        fields,
        footer: { text: clip(footer, DISCORD_LIMITS.footer) },
        timestamp: message.items[0].checkedAt,
      },
    ],
  };
}
