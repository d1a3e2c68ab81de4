/**
 * Microsoft Teams through a Workflows ("Send webhook alerts to a channel") webhook: a message
 * with one Adaptive Card 1.5 attachment. (Office 365 connectors and their MessageCard are retired.)
 */
import type { PageLink } from '../store/store';
import type { AlertItem, AlertLabel, AlertMessage } from './message';
import { breakLinks, clip, DIGEST_ITEMS, FACT_LABEL, isWebLink, itemName, moreTargets, PAGE_LINK_TEXT, pageValidity, REPORT_LINK_TEXT } from './message';
import { personTime } from '../format';

/** Adaptive Cards name their colours. */
const COLOR: Record<AlertLabel, string> = { critical: 'Attention', unknown: 'Accent', warning: 'Warning', ok: 'Accent', recovered: 'Good' };

function textBlock(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextBlock', text: clip(text, 2000), wrap: true, ...extra };
}

/** The report: a Markdown link when it has one (with until when it works), else where it is stored. */
function reportText(item: AlertItem): string {
  if (!item.reportLink || !isWebLink(item.reportLink)) return breakLinks(item.stored);
  const until = pageValidity(item.reportLink);
  return `[${REPORT_LINK_TEXT}](${item.reportLink.url})${until ? ` (${until})` : ''}`;
}

function singleBody(message: AlertMessage): unknown[] {
  const [item] = message.items;
  return [
    textBlock(breakLinks(item.why), { isSubtle: true, spacing: 'None' }),
    ...item.problems.map((p) => textBlock(`- ${breakLinks(p)}`)),
    {
      type: 'FactSet',
      facts: [
        { title: 'Status', value: item.label.toUpperCase() },
        ...item.facts.map((f) => ({ title: FACT_LABEL, value: breakLinks(f) })),
        ...(item.expires ? [{ title: 'Certificate', value: breakLinks(item.expires) }] : []),
        ...(item.issuer ? [{ title: 'Issuer', value: breakLinks(item.issuer) }] : []),
        { title: 'Checked', value: personTime(item.checkedAt) },
        { title: 'Report', value: reportText(item) },
      ],
    },
  ];
}

function digestBody(message: AlertMessage): unknown[] {
  const shown = message.items.slice(0, DIGEST_ITEMS);
  const more = moreTargets(message, shown.length);
  return [
    textBlock(breakLinks(message.summary), { isSubtle: true, spacing: 'None' }),
    ...shown.map((item) => ({
      type: 'Container',
      separator: true,
      items: [
        textBlock(`${item.label.toUpperCase()} ${breakLinks(itemName(item))}`, { weight: 'Bolder', color: COLOR[item.label] }),
        textBlock(breakLinks(item.why), { spacing: 'None' }),
        // One line per problem, as in a single alert: a list, not a run-on sentence.
        ...item.problems.map((p) => textBlock(`- ${breakLinks(p)}`, { spacing: 'None' })),
        ...item.facts.map((f) => textBlock(`${FACT_LABEL}: ${breakLinks(f)}`, { isSubtle: true, spacing: 'None' })),
        textBlock([...[item.expires, item.issuer && `issuer ${item.issuer}`].filter((t): t is string => Boolean(t)).map(breakLinks), `report ${reportText(item)}`].join(' · '), { isSubtle: true, size: 'Small' }),
      ],
    })),
    ...(more ? [textBlock(more, { isSubtle: true })] : []),
  ];
}

/** The status page: a button (Action.OpenUrl) under the card, with until when it works. */
function pageParts(page: PageLink | null): { body: unknown[]; actions: unknown[] } {
  if (!page) return { body: [], actions: [] };
  const until = pageValidity(page);
  if (!isWebLink(page)) return { body: [textBlock(breakLinks(`Status page: ${page.url}${until ? ` (${until})` : ''}`), { separator: true })], actions: [] };
  return {
    body: until ? [textBlock(`Status page ${until}`, { isSubtle: true, size: 'Small', separator: true })] : [],
    actions: [{ type: 'Action.OpenUrl', title: PAGE_LINK_TEXT, url: page.url }],
  };
}

export function teamsPayload(message: AlertMessage): unknown {
  const page = pageParts(message.page);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.5',
          msteams: { width: 'Full' },
          body: [
            textBlock(breakLinks(message.title), { size: 'Large', weight: 'Bolder', color: COLOR[message.label] }),
            ...(message.kind === 'single' ? singleBody(message) : digestBody(message)),
            ...page.body,
          ],
          ...(page.actions.length ? { actions: page.actions } : {}),
        },
      },
    ],
  };
}
