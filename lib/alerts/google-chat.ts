/**
 * Google Chat incoming webhook: a card message (cardsV2) with a header and sections of
 * decorated text; card text takes a small HTML subset, so what servers send is escaped.
 */
import type { PageLink } from '../store/store';
import { type AlertItem, type AlertMessage, clip, DIGEST_ITEMS, escapeMarkup as escape, FACT_LABEL, isWebLink, itemName, LABEL_COLOR, moreTargets, PAGE_LINK_TEXT, pageValidity, REPORT_LINK_TEXT } from './message';
import { personTime } from '../format';

function decorated(topLabel: string, text: string): unknown {
  return { decoratedText: { topLabel, text: clip(escape(text), 4000), wrapText: true } };
}

/** Why the item alerts, bold in its label's colour: the colour cue (a card has no coloured bar), the status said once. */
function colouredWhy(item: AlertItem): unknown {
  return { textParagraph: { text: clip(`<font color="${LABEL_COLOR[item.label]}"><b>${escape(item.why)}</b></font>`, 4000) } };
}

/** The report: a link when it has one (with until when it works), else where it is stored. */
function reportWidget(item: AlertItem): unknown {
  if (!item.reportLink || !isWebLink(item.reportLink)) return decorated('Report', item.stored);
  const until = pageValidity(item.reportLink);
  return { decoratedText: { topLabel: 'Report', text: `<a href="${escape(item.reportLink.url)}">${REPORT_LINK_TEXT}</a>${until ? ` (${until})` : ''}`, wrapText: true } };
}

function itemWidgets(item: AlertItem): unknown[] {
  return [
    ...(item.problems.length > 0 ? [{ textParagraph: { text: clip(item.problems.map((p) => `• ${escape(p)}`).join('<br>'), 4000) } }] : []),
    ...item.facts.map((f) => decorated(FACT_LABEL, f)),
    ...(item.expires ? [decorated('Certificate', item.expires)] : []),
    ...(item.issuer ? [decorated('Issuer', item.issuer)] : []),
    reportWidget(item),
  ];
}

/** The status page: a button that opens it, and until when it works (a file:// URL as text). */
function pageSection(page: PageLink): unknown {
  const until = pageValidity(page);
  if (!isWebLink(page)) return { widgets: [decorated('Status page', `${page.url}${until ? ` (${until})` : ''}`)] };
  return {
    widgets: [
      { buttonList: { buttons: [{ text: PAGE_LINK_TEXT, onClick: { openLink: { url: page.url } } }] } },
      ...(until ? [{ textParagraph: { text: until } }] : []),
    ],
  };
}

export function googleChatPayload(message: AlertMessage): unknown {
  let sections: unknown[];
  if (message.kind === 'single') {
    const [item] = message.items;
    // The header names the status and the target; the coloured line under it says why.
    sections = [{ widgets: [colouredWhy(item), ...itemWidgets(item), decorated('Checked', personTime(item.checkedAt))] }];
  } else {
    const shown = message.items.slice(0, DIGEST_ITEMS);
    const more = moreTargets(message, shown.length);
    sections = [
      ...shown.map((item) => ({
        header: clip(`${item.label.toUpperCase()} ${escape(itemName(item))}`, 200),
        widgets: [colouredWhy(item), ...itemWidgets(item)],
      })),
      ...(more ? [{ widgets: [{ textParagraph: { text: more } }] }] : []),
    ];
  }
  if (message.page) sections.push(pageSection(message.page));
  return {
    // What the notification shows.
    text: clip(message.kind === 'single' ? `${message.title}: ${message.items[0].why}` : `${message.title} (${message.summary})`, 4000),
    cardsV2: [
      {
        cardId: 'certcheck-alert',
        card: { header: { title: clip(message.title, 200), ...(message.kind === 'digest' ? { subtitle: clip(message.summary, 200) } : {}) }, sections },
      },
    ],
  };
}
