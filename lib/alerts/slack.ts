/**
 * Slack incoming webhook: Block Kit (header, section with fields, context) inside an attachment,
 * which gives the message its coloured bar. Limits kept: header 150 characters, section text
 * 3,000, a field 2,000, at most 10 fields and 50 blocks.
 */
import type { PageLink } from '../store/store';
import { type AlertItem, type AlertMessage, clip, DIGEST_ITEMS, escapeMarkup as escape, FACT_LABEL, isWebLink, itemName, LABEL_COLOR, moreTargets, PAGE_LINK_TEXT, pageValidity, REPORT_LINK_TEXT } from './message';
import { personTime } from '../format';

function mrkdwn(text: string, max: number): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: clip(text, max) };
}

function field(name: string, value: string): { type: 'mrkdwn'; text: string } {
  return mrkdwn(`*${name}*\n${escape(value)}`, 2000);
}

/** The report: an mrkdwn link when it has one (with until when it works), else where it is stored. */
function reportText(item: AlertItem): string {
  if (!item.reportLink || !isWebLink(item.reportLink)) return escape(item.stored);
  const until = pageValidity(item.reportLink);
  return `<${escape(item.reportLink.url)}|${REPORT_LINK_TEXT}>${until ? ` (${until})` : ''}`;
}

function singleBlocks(item: AlertItem): unknown[] {
  return [
    { type: 'section', text: mrkdwn([escape(item.why), ...item.problems.map((p) => `• ${escape(p)}`)].join('\n'), 3000) },
    {
      type: 'section',
      fields: [
        field('Status', item.label.toUpperCase()),
        ...(item.expires ? [field('Certificate', item.expires)] : []),
        ...(item.issuer ? [field('Issuer', item.issuer)] : []),
        field('Checked', personTime(item.checkedAt)),
      ],
    },
    { type: 'context', elements: [...item.facts.map((f) => mrkdwn(`${FACT_LABEL}: ${escape(f)}`, 3000)), mrkdwn(`Full report: ${reportText(item)}`, 3000)] },
  ];
}

function digestBlocks(message: AlertMessage): unknown[] {
  const shown = message.items.slice(0, DIGEST_ITEMS);
  return [
    { type: 'section', text: mrkdwn(escape(message.summary), 3000) },
    ...shown.map((item) => ({
      type: 'section',
      text: mrkdwn(
        [`*${item.label.toUpperCase()}* ${escape(itemName(item))}: ${escape(item.why)}`, ...item.problems.map((p) => `• ${escape(p)}`), ...item.facts.map((f) => `_${FACT_LABEL}: ${escape(f)}_`)].join('\n') +
          `${item.expires ? `\n${escape(item.expires)}` : ''}${item.issuer ? `, issuer ${escape(item.issuer)}` : ''}\nReport: ${reportText(item)}`,
        3000,
      ),
    })),
    { type: 'context', elements: [mrkdwn(moreTargets(message, shown.length) ?? 'certcheck', 3000)] },
  ];
}

/** The status page as an mrkdwn link (`<url|text>`, the URL's `&` escaped as Slack asks), with until when it works. */
function pageBlock(page: PageLink): unknown {
  const until = pageValidity(page);
  const link = isWebLink(page) ? `<${escape(page.url)}|${PAGE_LINK_TEXT}>` : `status page: ${escape(page.url)}`;
  return { type: 'section', text: mrkdwn(`:bar_chart: *${link}*${until ? ` (${until})` : ''}`, 3000) };
}

export function slackPayload(message: AlertMessage): unknown {
  const header = { type: 'header', text: { type: 'plain_text', text: clip(message.title, 150) } };
  const body = [...(message.kind === 'single' ? singleBlocks(message.items[0]) : digestBlocks(message)), ...(message.page ? [pageBlock(message.page)] : [])];
  return {
    // The notification's text, and what clients without blocks show.
    text: clip(message.kind === 'single' ? `${message.title}: ${message.items[0].why}` : `${message.title} (${message.summary})`, 3000),
    attachments: [{ color: LABEL_COLOR[message.label], blocks: [header, ...body] }],
  };
}
