/** What each chat service is sent: its documented format, its limits, and the words every message carries. */
import { decideAlert, DEFAULT_ALERT_THRESHOLDS } from '../lib/alerts/decide';
import { discordPayload, DISCORD_LIMITS, embedLength } from '../lib/alerts/discord';
import { googleChatPayload } from '../lib/alerts/google-chat';
import { buildMessage, type StoredAlert } from '../lib/alerts/message';
import { slackPayload } from '../lib/alerts/slack';
import { teamsPayload } from '../lib/alerts/teams';
import { EMBEDDED_REPORT_BYTES, webhookPayload } from '../lib/alerts/webhook';
import { PAYLOAD_BUILDERS, parseWebhook, parseWebhookList, redactUrl } from '../lib/alerts/webhooks';
import type { Finding, Report, Status } from '../lib/report';
import { sampleReport } from './fixtures/reports';

const NOW = new Date('2026-11-23T05:00:00.000Z');
const ISSUER = 'CN=Sample Intermediate CA,O=Sample';

function expiring(host: string, days: number, status: Status = 'critical'): Report {
  const finding: Finding = { code: 'EXPIRES_SOON', severity: status === 'critical' ? 'critical' : 'warning', message: `certificate expires in ${days} days (2026-11-29)` };
  return sampleReport({ host, address: '192.0.2.7', checkedAt: NOW.toISOString(), status, findings: [finding], leaf: { daysRemaining: days, issuer: ISSUER } });
}

function stored(report: Report, previous: Report | null = null): StoredAlert {
  const { alert } = decideAlert({ previous, current: report, memory: null, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW });
  if (!alert) throw new Error('expected an alert');
  const reportKey = `reports/${report.target.host}_443_192.0.2.7/2026-11-23/${report.checkedAt.replace(/:/g, '-')}.json`;
  return { alert, stored: `s3://reports-bucket/${reportKey}`, reportKey };
}

const single = buildMessage([stored(expiring('shop.example.test', 6))]);

function many(n: number): StoredAlert[] {
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0
      ? stored(sampleReport({ host: `down-${i}.example.test`, checkedAt: NOW.toISOString(), status: 'unknown', findings: [{ code: 'CONNECTION_FAILED', severity: 'unknown', message: `connection failed: ${'x'.repeat(300)}` }] }))
      : stored(expiring(`site-${i}.example.test`, (i % 20) + 1, i % 2 ? 'critical' : 'warning')),
  );
}

/** Every string anywhere in a payload, joined: what a reader of the message can see. */
function allText(payload: unknown): string {
  return JSON.stringify(payload);
}

describe('every message', () => {
  it.each(Object.entries(PAYLOAD_BUILDERS))('%s says the target, the status, what is wrong in words, the issuer and where the report is', (_service, build) => {
    const text = allText(build(single));
    expect(text).toContain('shop.example.test:443');
    expect(text).toContain('CRITICAL');
    expect(text).toContain('expires in 6 days, on 2026-11-29');
    expect(text).toContain(ISSUER);
    expect(text).toContain('s3://reports-bucket/reports/shop.example.test_443_192.0.2.7/2026-11-23/');
  });

  it.each(Object.entries(PAYLOAD_BUILDERS))('%s names a target reached by STARTTLS with its scheme', (_service, build) => {
    const report = sampleReport({ host: 'mail.example.test', port: 25, protocol: 'smtp', address: '192.0.2.7', checkedAt: NOW.toISOString(), status: 'critical', findings: [{ code: 'STARTTLS_REFUSED', severity: 'critical', message: 'the server refused STARTTLS: 454 TLS not available' }] });
    expect(allText(build(buildMessage([stored(report)])))).toContain('smtp://mail.example.test:25');
  });

  it('puts the worst first in a digest, with counts', () => {
    const message = buildMessage([stored(expiring('b.example.test', 20, 'warning')), stored(expiring('a.example.test', 2))]);
    expect(message.kind).toBe('digest');
    expect(message.items.map((i) => i.label)).toEqual(['critical', 'warning']);
    expect(message.summary).toBe('1 critical, 1 warning');
  });

  const badLine = { kind: 'skipped-line' as const, where: 'line 12 of s3://fleet/targets.txt', entry: 'exa mple.com <!channel> [x](https://evil.example)', reason: 'invalid target "exa mple.com <!channel> [x](https://evil.example)": contains spaces' };

  it.each(Object.entries(PAYLOAD_BUILDERS))('%s tells a bad line of the target list: where it stands and why (CONFIG_INVALID)', (service, build) => {
    const text = allText(build(buildMessage([], [badLine], NOW)));
    expect(text).toContain('line 12 of s3://fleet/targets.txt');
    expect(text).toContain('contains spaces');
    expect(text).toContain('CONFIG_INVALID');
    expect(text).toContain('WARNING');
    // What the line says is text, never markup or a link.
    if (service === 'slack' || service === 'googlechat') expect(text).not.toContain('<!channel>');
    if (service === 'teams' || service === 'discord') expect(text).not.toContain('](https://evil');
  });

  it('carries configuration problems beside the targets in one digest, and counts what it leaves out', () => {
    const message = buildMessage(many(250), [badLine], NOW);
    expect(message.total).toBe(251);
    expect(message.items).toHaveLength(200);
    expect(message.title).toBe('certcheck: 251 targets to look at');
    expect(message.text).toContain('and 51 more: see the run summary');
    const body = webhookPayload(message) as { total: number; alerts: unknown[] };
    expect([body.total, body.alerts.length]).toEqual([251, 200]);
    expect(allText(slackPayload(message))).toContain('and 231 more targets: see the run summary');
  });

  it('keeps the worst items of a long run whatever order they came in, and counts them all', () => {
    const warnings = (from: number) => Array.from({ length: 200 }, (_, i) => stored(expiring(`warn-${from + i}.example.test`, 20, 'warning')));
    const criticals = Array.from({ length: 50 }, (_, i) => stored(expiring(`crit-${i}.example.test`, 2)));

    const message = buildMessage([...warnings(0), ...criticals, ...warnings(200)]);

    expect(message.total).toBe(450);
    expect(message.counts).toMatchObject({ critical: 50, warning: 400 });
    expect(message.items).toHaveLength(200);
    expect(message.items.filter((i) => i.label === 'critical')).toHaveLength(50);
    expect(message.items[0].label).toBe('critical');
  });

  it('says that an expired certificate expired, and when, rather than naming a threshold', () => {
    const expired = (days: number, findings: Finding[]) => sampleReport({ host: 'gone.example.test', checkedAt: NOW.toISOString(), status: 'critical', findings, leaf: { daysRemaining: days } });
    const soon: Finding = { code: 'EXPIRES_SOON', severity: 'critical', message: 'certificate expires in 3 days (2026-11-26)' };
    const past: Finding = { code: 'EXPIRED', severity: 'critical', message: 'certificate expired on 2026-11-21' };
    const before = expired(3.5, [soon]);
    const told = decideAlert({ previous: null, current: before, memory: null, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW }).memory;
    const { alert } = decideAlert({ previous: before, current: expired(-2, [past]), memory: told, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW });
    if (!alert) throw new Error('expected an alert');

    const [item] = buildMessage([{ alert, stored: 'reports/gone' }]).items;

    expect(alert.reasons).toContainEqual({ kind: 'threshold', days: 1 });
    expect(item.why).toContain('expired 2 days ago, on 2026-11-21');
    expect(item.why).not.toContain('threshold');
    expect(item.expires).toBe('expired 2 days ago, on 2026-11-21 05:00 UTC');
    expect(buildMessage([stored(expired(-0.25, [past]))]).items[0].why).toContain('expired less than a day ago, on 2026-11-22');
  });

  it('says a crossed threshold in words before WARN_DAYS makes it a finding', () => {
    const quiet = sampleReport({ host: 'calm.example.test', checkedAt: NOW.toISOString(), leaf: { daysRemaining: 25 } });
    const [item] = buildMessage([stored(quiet)]).items;
    expect(item.why).toBe('crossed the 30-day expiry threshold');
    expect(item.problems).toEqual(['certificate expires in 25 days, on 2026-12-18 05:00 UTC']);
  });
});

describe('a changed certificate', () => {
  const CHANGED: Finding = { code: 'CERT_CHANGED', severity: 'info', message: 'certificate changed since 2026-11-22: was aaaa01… issued by CN=Old; now bbbb02… issued by CN=New' };
  const old = sampleReport({ host: 'renewed.example.test', checkedAt: NOW.toISOString(), status: 'critical', findings: [{ code: 'EXPIRES_SOON', severity: 'critical', message: 'certificate expires in 2 days (2026-11-25)' }], leaf: { daysRemaining: 2, fingerprint: 'AA:01' } });
  const renewed = sampleReport({ host: 'renewed.example.test', checkedAt: NOW.toISOString(), status: 'ok', findings: [CHANGED], leaf: { daysRemaining: 90, fingerprint: 'BB:02' } });
  const stillBroken = sampleReport({ host: 'replaced.example.test', checkedAt: NOW.toISOString(), status: 'critical', findings: [{ code: 'HOSTNAME_MISMATCH', severity: 'critical', message: 'certificate is valid for a.test, not replaced.example.test' }, CHANGED], leaf: { daysRemaining: 90 } });
  const told = decideAlert({ previous: null, current: old, memory: null, thresholds: DEFAULT_ALERT_THRESHOLDS, now: new Date(NOW.getTime() - 3_600_000) }).memory;
  const recovery = decideAlert({ previous: old, current: renewed, memory: told, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW }).alert;

  it('is a fact apart from the problems, not a problem', () => {
    if (!recovery) throw new Error('expected a recovery');
    const [recovered] = buildMessage([{ alert: recovery, stored: 'reports/renewed' }]).items;
    expect([recovered.label, recovered.problems, recovered.facts]).toEqual(['recovered', [], [CHANGED.message]]);
    const [broken] = buildMessage([stored(stillBroken)]).items;
    expect([broken.problems, broken.facts]).toEqual([['certificate is valid for a.test, not replaced.example.test'], [CHANGED.message]]);
  });

  it.each(Object.entries(PAYLOAD_BUILDERS))('is shown in %s as a note, never listed among the problems', (service, build) => {
    if (!recovery) throw new Error('expected a recovery');
    for (const message of [buildMessage([stored(stillBroken)]), buildMessage([{ alert: recovery, stored: 'reports/renewed' }, stored(stillBroken)])]) {
      const payload = build(message);
      const text = allText(payload);
      expect(text).toMatch(/Note[":, a-z]*certificate changed since 2026-11-22/i);
      expect(text).not.toMatch(/(•|- |; )certificate changed/);
      if (service === 'webhook') {
        const { alerts } = payload as { alerts: { problems: string[]; facts: string[] }[] };
        for (const alert of alerts) {
          expect(alert.facts).toEqual([CHANGED.message]);
          expect(alert.problems.join(' ')).not.toContain('certificate changed');
        }
      }
    }
  });
});

describe('times', () => {
  const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
  const problem = sampleReport({ host: 'down.example.test', checkedAt: NOW.toISOString(), status: 'unknown', findings: [{ code: 'CONNECTION_FAILED', severity: 'unknown', message: 'connection failed: connect ECONNREFUSED' }] });
  const yesterday = new Date(NOW.getTime() - 86_400_000);
  const remembered = decideAlert({ previous: null, current: problem, memory: null, thresholds: DEFAULT_ALERT_THRESHOLDS, now: yesterday }).memory;
  const reminder = decideAlert({ previous: problem, current: problem, memory: remembered, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW }).alert;
  const page = { url: 'https://reports.example.test/index.html?sig=1', expiresAt: '2026-11-30T05:00:00.000Z' };

  /** What a person reads: every string but the machine fields (Discord's timestamp, the generic webhook's data). */
  function readable(service: string, payload: unknown): string {
    const text = JSON.stringify(payload, (key, value: unknown) => ((service === 'discord' && key === 'timestamp') || (service === 'webhook' && ['report', 'reasons', 'statusPage'].includes(key)) ? undefined : value));
    return text;
  }

  it.each(Object.entries(PAYLOAD_BUILDERS))('are written "2026-11-29 05:00 UTC" wherever a person reads one in %s', (service, build) => {
    if (!reminder) throw new Error('expected a reminder');
    for (const message of [buildMessage([stored(expiring('shop.example.test', 6))], [], NOW, page), buildMessage([stored(expiring('shop.example.test', 6)), { alert: reminder, stored: 'reports/down' }], [], NOW, page)]) {
      const text = readable(service, build(message));
      expect(text).not.toMatch(ISO_TIME);
      expect(text).toContain('expires in 6 days, on 2026-11-29 05:00 UTC');
      expect(text).toContain('link valid until 2026-11-30 05:00 UTC');
      if (message.kind === 'digest') expect(text).toContain('daily reminder (last told 2026-11-22 05:00 UTC)');
      if (message.kind === 'single' && service !== 'webhook') expect(text).toContain('2026-11-23 05:00 UTC');
    }
  });
});

describe('Slack', () => {
  it('is Block Kit (header, section with fields, context) in an attachment with a colour', () => {
    const payload = slackPayload(single) as { text: string; attachments: { color: string; blocks: { type: string; text?: { type: string; text: string }; fields?: unknown[] }[] }[] };
    expect(payload.text).toContain('CRITICAL shop.example.test:443 (192.0.2.7)');
    const [attachment] = payload.attachments;
    expect(attachment.color).toBe('#d32f2f');
    expect(attachment.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(attachment.blocks[0].text).toEqual({ type: 'plain_text', text: 'CRITICAL shop.example.test:443 (192.0.2.7)' });
    expect(attachment.blocks[2].fields?.length).toBeLessThanOrEqual(10);
  });

  it('keeps a 60-target digest within 50 blocks and 3,000 characters a section', () => {
    const payload = slackPayload(buildMessage(many(60))) as { attachments: { blocks: { type: string; text?: { text: string } }[] }[] };
    const { blocks } = payload.attachments[0];
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const block of blocks) expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    expect(allText(payload)).toContain('and 40 more targets');
  });

  it('escapes what a server sends, so a certificate cannot mention @channel', () => {
    const hostile = sampleReport({ host: 'evil.example.test', checkedAt: NOW.toISOString(), status: 'critical', findings: [{ code: 'SELF_SIGNED', severity: 'critical', message: 'signed by <!channel> & <https://phish.example|click>' }] });
    const text = allText(slackPayload(buildMessage([stored(hostile)])));
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://phish.example|click&gt;');
  });
});

describe('Microsoft Teams', () => {
  it('is a Workflows message carrying one Adaptive Card 1.5', () => {
    const payload = teamsPayload(single) as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { type: string }[] } }[] };
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    const [{ contentType, content }] = payload.attachments;
    expect(contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(content).toMatchObject({ type: 'AdaptiveCard', version: '1.5', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(content.body[0]).toMatchObject({ type: 'TextBlock', size: 'Large', weight: 'Bolder', color: 'Attention' });
    expect(content.body.map((b) => b.type)).toContain('FactSet');
    expect(allText(payload)).not.toContain('MessageCard');
  });

  it("lists each digest target's problems one a line, not joined in a sentence", () => {
    const twoProblems = sampleReport({
      host: 'two.example.test',
      checkedAt: NOW.toISOString(),
      status: 'critical',
      findings: [
        { code: 'HOSTNAME_MISMATCH', severity: 'critical', message: 'certificate is valid for a.test, not two.example.test' },
        { code: 'WEAK_KEY', severity: 'critical', message: 'RSA key of 1024 bits' },
      ],
    });
    const payload = teamsPayload(buildMessage([stored(twoProblems), stored(expiring('b.example.test', 20, 'warning'))])) as { attachments: { content: { body: { type: string; items?: { text: string }[] }[] } }[] };
    const [container] = payload.attachments[0].content.body.filter((b) => b.type === 'Container');
    const texts = (container.items ?? []).map((i) => i.text);
    expect(texts).toContain('- certificate is valid for a.test, not two.example.test');
    expect(texts).toContain('- RSA key of 1024 bits');
    expect(texts.join('\n')).not.toContain('; certificate is valid');
    expect(texts.join('\n')).not.toContain('two.example.test; RSA');
  });

  it('lists a digest as one container per target', () => {
    const payload = teamsPayload(buildMessage(many(5))) as { attachments: { content: { body: { type: string }[] } }[] };
    expect(payload.attachments[0].content.body.filter((b) => b.type === 'Container')).toHaveLength(5);
  });
});

describe('Discord', () => {
  it('is an embed with a colour and fields, mentions off', () => {
    const payload = discordPayload(single) as { allowed_mentions: unknown; embeds: { title: string; color: number; fields: { name: string; value: string }[]; timestamp: string }[] };
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    const [embed] = payload.embeds;
    expect(embed.title).toBe('CRITICAL shop.example.test:443 (192.0.2.7)');
    expect(embed.color).toBe(0xd32f2f);
    expect(embed.fields.map((f) => f.name)).toEqual(['Status', 'Certificate', 'Issuer', 'Report']);
    expect(embed.timestamp).toBe(NOW.toISOString());
  });

  it('keeps a 200-target digest of long messages within 25 fields and 6,000 characters', () => {
    const payload = discordPayload(buildMessage(many(200))) as { embeds: { title: string; description: string; fields: { name: string; value: string }[]; footer: { text: string } }[] };
    const [embed] = payload.embeds;
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    for (const field of embed.fields) expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(embed.footer.text).toMatch(/^and \d+ more targets/);
  });
});

describe("a report's link", () => {
  const link = (length: number) => ({ url: `https://reports.s3.eu-west-1.amazonaws.com/r.json?X-Amz-Security-Token=${'T'.repeat(length)}&X-Amz-Signature=abc`, expiresAt: '2026-11-23T11:42:00.000Z' });
  const linked = (length: number) => {
    const message = buildMessage([stored(expiring('shop.example.test', 6))]);
    message.items[0].reportLink = link(length);
    return message;
  };

  it.each(Object.entries(PAYLOAD_BUILDERS))('is a link in %s, with until when it works', (_service, build) => {
    const text = allText(build(linked(600)));
    expect(text).toContain(link(600).url.replace(/&/g, _service === 'slack' || _service === 'googlechat' ? '&amp;' : '&'));
    expect(text).toContain(_service === 'webhook' ? '"reportLink":{"url":"https://reports.s3' : 'link valid until 2026-11-23 11:42 UTC');
  });

  it('goes in the Discord description when it is longer than a field, within 6,000 characters', () => {
    const [embed] = (discordPayload(linked(1100)) as { embeds: { title: string; description: string; fields: { name: string; value: string }[]; footer: { text: string } }[] }).embeds;
    expect(embed.description).toContain(`[Open the report](${link(1100).url}) (link valid until 2026-11-23 11:42 UTC)`);
    expect(embed.fields.find((f) => f.name === 'Report')?.value).toMatch(/^s3:\/\/reports-bucket\//);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });
});

describe('Google Chat', () => {
  it('is a cardsV2 message with a header and sections of widgets', () => {
    const payload = googleChatPayload(single) as { text: string; cardsV2: { cardId: string; card: { header: { title: string }; sections: { widgets: unknown[] }[] } }[] };
    expect(payload.text).toContain('CRITICAL shop.example.test:443 (192.0.2.7)');
    const [{ cardId, card }] = payload.cardsV2;
    expect(cardId).toBe('certcheck-alert');
    expect(card.header.title).toBe('CRITICAL shop.example.test:443 (192.0.2.7)');
    expect(card.sections[0].widgets.length).toBeGreaterThan(2);
  });

  it('says the status once: the header names it, the coloured line under it says why', () => {
    const digest = buildMessage([stored(expiring('shop.example.test', 6)), stored(expiring('b.example.test', 20, 'warning'))]);
    for (const message of [single, digest]) {
      const payload = googleChatPayload(message) as { cardsV2: { card: { header: { title: string; subtitle?: string }; sections: { header?: string; widgets: { textParagraph?: { text: string } }[] }[] } }[] };
      const { card } = payload.cardsV2[0];
      for (const section of card.sections) {
        const first = section.widgets[0].textParagraph?.text.replace(/<[^>]+>/g, '') ?? '';
        if (section.header || section === card.sections[0]) expect(first).toBe(message.items[card.sections.indexOf(section)].why);
      }
      expect(allText(payload).replace(/<[^>]+>/g, '')).not.toMatch(/\b(CRITICAL|WARNING)\s+(first check: )?(critical|warning)\b/);
      expect(card.header.subtitle ?? '').not.toContain(message.items[0].why);
    }
  });

  it('gives a digest one section per target, up to 20', () => {
    const payload = googleChatPayload(buildMessage(many(30))) as { cardsV2: { card: { sections: { header?: string }[] } }[] };
    expect(payload.cardsV2[0].card.sections.filter((s) => s.header)).toHaveLength(20);
  });
});

describe('why an alert goes out, in words', () => {
  const mismatch: Finding = { code: 'HOSTNAME_MISMATCH', severity: 'critical', message: 'certificate is valid for a.test, not b.test' };
  const weakKey: Finding = { code: 'WEAK_KEY', severity: 'critical', message: 'RSA key of 1024 bits' };
  const refused: Finding = { code: 'CONNECTION_FAILED', severity: 'unknown', message: 'connection failed: connect ECONNREFUSED 192.0.2.7:443' };
  const noResumption: Finding = { code: 'NO_RESUMPTION', severity: 'warning', message: 'no session resumes' };
  const at = (status: Status, findings: Finding[]) => sampleReport({ host: 'flip.example.test', checkedAt: NOW.toISOString(), status, findings });
  /** The words of the alert for going from `before` (already told) to `after`. */
  function why(before: Report, after: Report): string {
    const told = decideAlert({ previous: null, current: before, memory: null, thresholds: DEFAULT_ALERT_THRESHOLDS, now: new Date(NOW.getTime() - 3_600_000) }).memory;
    const { alert } = decideAlert({ previous: before, current: after, memory: told, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW });
    if (!alert) throw new Error('expected an alert');
    return buildMessage([{ alert, stored: 'reports/flip' }]).items[0].why;
  }

  it.each<[string, Report, Report, string]>([
    ['critical to unknown', at('critical', [mismatch]), at('unknown', [refused]), 'critical → unknown: connection failed [CONNECTION_FAILED]'],
    ['warning to critical', at('warning', [noResumption]), at('critical', [noResumption, mismatch]), 'warning → critical: wrong host name [HOSTNAME_MISMATCH]'],
    ['a new problem at the same status', at('critical', [mismatch]), at('critical', [mismatch, weakKey]), 'new problem (still critical): weak key [WEAK_KEY]'],
    ['a recovery', at('unknown', [refused]), at('ok', []), 'unknown → ok: recovered'],
  ])('words %s for a person, the codes in brackets', (_name, before, after, words) => {
    expect(why(before, after)).toBe(words);
  });

  it('words a recovery whose status before is not known, or was ok, without an arrow from ok to ok', () => {
    const before = at('unknown', [refused]);
    const told = decideAlert({ previous: null, current: before, memory: null, thresholds: DEFAULT_ALERT_THRESHOLDS, now: new Date(NOW.getTime() - 3_600_000) }).memory;
    // The previous report could not be read: only the memory says something was told.
    const unread = decideAlert({ previous: null, current: at('ok', []), memory: told, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW }).alert;
    expect(unread?.reasons).toEqual([{ kind: 'recovered', from: null }]);
    expect(buildMessage([{ alert: unread!, stored: 'reports/flip' }]).items[0].why).toBe('recovered: what was told before is gone');
    const fromOk = decideAlert({ previous: at('ok', []), current: at('ok', []), memory: told, thresholds: DEFAULT_ALERT_THRESHOLDS, now: NOW }).alert;
    expect(buildMessage([{ alert: fromOk!, stored: 'reports/flip' }]).items[0].why).toBe('recovered: what was told before is gone');
  });

  it('never shows a bare finding code', () => {
    const bare = /(?<!\[)\b[A-Z]+_[A-Z_]+\b(?!\])/;
    for (const [before, after] of [
      [at('critical', [mismatch]), at('unknown', [refused])],
      [at('critical', [mismatch]), at('critical', [mismatch, weakKey])],
    ]) {
      expect(why(before, after)).not.toMatch(bare);
    }
  });
});

describe('a first check', () => {
  it.each(Object.entries(PAYLOAD_BUILDERS))('is told in %s as "first check: <status>", never as coming from ok', (_service, build) => {
    const text = allText(build(single));
    expect(text).toContain('first check: critical');
    expect(text).not.toMatch(/was ok|ok →/);
  });

  it('is a first-check reason from null in the generic webhook, agreeing with previousStatus', () => {
    const payload = webhookPayload(single) as { alerts: { previousStatus: unknown; why: string; reasons: unknown[] }[] };
    expect(payload.alerts[0]).toMatchObject({ previousStatus: null, reasons: [{ kind: 'first-check', from: null }, { kind: 'threshold', days: 7 }] });
    expect(payload.alerts[0].why).toMatch(/^first check: critical/);
  });
});

describe('the generic webhook', () => {
  /** A report of about 11 KB, as a real one with its chain and probes is (2,000 of them made 2.2 MB). */
  function sizeable(i: number): Report {
    const report = expiring(`site-${i}.example.test`, (i % 20) + 1);
    report.findings.push({ code: 'REVOCATION_UNKNOWN', severity: 'info', message: `no responder answered: ${'x'.repeat(10_500)}` });
    return report;
  }

  it("keeps a 2,000-target digest small: each alert's facts with its report's key and link, no report", () => {
    const message = buildMessage(Array.from({ length: 2000 }, (_, i) => stored(sizeable(i))));
    message.items[0].reportLink = { url: 'https://reports.example.test/r.json?sig=1', expiresAt: '2026-11-30T05:00:00.000Z' };

    const payload = webhookPayload(message) as { total: number; alerts: { report: unknown; reportKey: string; reportLink: unknown; problems: string[] }[] };

    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(256 * 1024);
    expect(payload.total).toBe(2000);
    for (const alert of payload.alerts) {
      expect(alert.report).toBeNull();
      expect(alert.reportKey).toMatch(/^reports\/site-\d+\.example\.test_443_192\.0\.2\.7\/2026-11-23\/.+\.json$/);
      expect(alert.problems.length).toBeGreaterThan(0);
    }
    expect(payload.alerts[0].reportLink).toEqual({ url: 'https://reports.example.test/r.json?sig=1', expiresAt: '2026-11-30T05:00:00.000Z' });
  });

  it('leaves out the report of a single alert when it is 64 KB or more', () => {
    const big = expiring('big.example.test', 6);
    big.findings.push({ code: 'CHAIN_INVALID', severity: 'critical', message: 'y'.repeat(EMBEDDED_REPORT_BYTES) });

    const payload = webhookPayload(buildMessage([stored(big)])) as { kind: string; alerts: { report: unknown; reportKey: string; reportLocation: string }[] };

    expect(payload.kind).toBe('single');
    expect(payload.alerts[0]).toMatchObject({ report: null, reportKey: expect.stringMatching(/^reports\/big\.example\.test_443/), reportLocation: expect.stringMatching(/^s3:\/\/reports-bucket\/reports\//) });
  });

  it("carries a single alert's whole report when it is small", () => {
    const payload = webhookPayload(single) as { source: string; kind: string; alerts: { target: string; status: string; reasons: unknown[]; reportLocation: string; report: Report }[] };
    expect(payload).toMatchObject({ source: 'certcheck', kind: 'single' });
    expect(payload.alerts[0]).toMatchObject({ target: 'shop.example.test:443 (192.0.2.7)', status: 'critical', reasons: [{ kind: 'first-check', from: null }, { kind: 'threshold', days: 7 }] });
    expect(payload.alerts[0].report.leaf?.issuer).toBe(ISSUER);
  });
});

describe('the link to the status page', () => {
  // A presigned URL: long, full of & and %, with a session token.
  const URL_ = `https://reports.s3.eu-west-1.amazonaws.com/prod/index.html?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20261123%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Security-Token=${'T'.repeat(600)}&X-Amz-Expires=604800&X-Amz-Signature=abc`;
  const page = { url: URL_, expiresAt: '2026-11-23T11:42:00.000Z' };
  const UNTIL = 'link valid until 2026-11-23 11:42 UTC';
  const digest = (p: typeof page | null) => buildMessage(many(200), [], NOW, p);
  const singleWith = (p: { url: string; expiresAt: string | null } | null) => buildMessage([stored(expiring('shop.example.test', 6))], [], NOW, p);

  it('is in the plain text, with until when it works', () => {
    expect(singleWith(page).text).toContain(`Status page: ${URL_} (${UNTIL})`);
    expect(digest(page).text).toContain(`Status page: ${URL_} (${UNTIL})`);
    expect(singleWith({ url: URL_, expiresAt: null }).text).toMatch(/Status page: \S+$/);
  });

  it('is a Slack mrkdwn link, its & escaped, with until when it works', () => {
    for (const message of [singleWith(page), digest(page)]) {
      const payload = slackPayload(message) as { attachments: { blocks: { type: string; text?: { text: string } }[] }[] };
      const { blocks } = payload.attachments[0];
      const last = blocks[blocks.length - 1];
      expect(last.type).toBe('section');
      expect(last.text?.text).toBe(`:bar_chart: *<${URL_.replace(/&/g, '&amp;')}|Open the status page>* (${UNTIL})`);
      expect(blocks.length).toBeLessThanOrEqual(50);
    }
  });

  it('is a Teams Action.OpenUrl, with until when it works', () => {
    const payload = teamsPayload(digest(page)) as { attachments: { content: { body: { text?: string }[]; actions: unknown[] } }[] };
    const { content } = payload.attachments[0];
    expect(content.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open the status page', url: URL_ }]);
    expect(content.body[content.body.length - 1].text).toBe(`Status page ${UNTIL}`);
  });

  it("is the Discord embed's url and a field with a Markdown link, within Discord's limits", () => {
    for (const message of [singleWith(page), digest(page)]) {
      const payload = discordPayload(message) as { embeds: { url: string; title: string; description: string; fields: { name: string; value: string }[]; footer: { text: string } }[] };
      const [embed] = payload.embeds;
      expect(embed.url).toBe(URL_);
      expect(embed.fields[embed.fields.length - 1]).toEqual({ name: 'Status page', value: `[Open the status page](${URL_}) (${UNTIL})`, inline: false });
      expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
      expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    }
  });

  it('leaves the Markdown link out of a Discord field when the URL is longer than a field (the title still links it)', () => {
    const long = { url: `${URL_}&pad=${'p'.repeat(1100)}`, expiresAt: page.expiresAt };
    const [embed] = (discordPayload(singleWith(long)) as { embeds: { url: string; fields: { name: string; value: string }[] }[] }).embeds;
    expect(embed.url).toBe(long.url);
    expect(embed.fields[embed.fields.length - 1]).toEqual({ name: 'Status page', value: `the title opens it (${UNTIL})`, inline: false });
  });

  it('is a Google Chat button that opens it, with until when it works', () => {
    const payload = googleChatPayload(digest(page)) as { cardsV2: { card: { sections: { widgets: unknown[] }[] } }[] };
    const { sections } = payload.cardsV2[0].card;
    expect(sections[sections.length - 1]).toEqual({
      widgets: [{ buttonList: { buttons: [{ text: 'Open the status page', onClick: { openLink: { url: URL_ } } }] } }, { textParagraph: { text: UNTIL } }],
    });
  });

  it('is statusPage { url, expiresAt } in the generic webhook, null without a page', () => {
    expect(webhookPayload(digest(page))).toMatchObject({ statusPage: { url: URL_, expiresAt: page.expiresAt } });
    expect(webhookPayload(singleWith({ url: URL_, expiresAt: null }))).toMatchObject({ statusPage: { url: URL_, expiresAt: null } });
    expect(webhookPayload(digest(null))).toMatchObject({ statusPage: null });
  });

  it.each(Object.entries(PAYLOAD_BUILDERS))('is nowhere in a %s message without a page, and says no validity for a link that does not expire', (_service, build) => {
    expect(allText(build(digest(null)))).not.toMatch(/status page/i);
    expect(allText(build(singleWith(null)))).not.toMatch(/status page/i);
    const lasting = allText(build(singleWith({ url: URL_, expiresAt: null })));
    expect(lasting).toMatch(/status page/i);
    expect(lasting).not.toContain('valid until');
  });

  it.each(Object.entries(PAYLOAD_BUILDERS))("shows a folder's file:// link in %s as text, never as a link a service would refuse", (service, build) => {
    const folder = { url: 'file:///srv/certcheck/reports/index.html', expiresAt: null };
    const payload = build(singleWith(folder));
    const text = allText(payload);
    expect(text).toContain('file:///srv/certcheck/reports/index.html');
    expect(text).not.toContain('Open the status page');
    if (service === 'discord') expect((payload as { embeds: { url?: string }[] }).embeds[0].url).toBeUndefined();
    if (service === 'teams') expect((payload as { attachments: { content: { actions?: unknown } }[] }).attachments[0].content.actions).toBeUndefined();
  });
});

describe('the webhook list', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/XYZ', 'slack'],
    ['https://discord.com/api/webhooks/1/abc', 'discord'],
    ['https://discordapp.com/api/webhooks/1/abc', 'discord'],
    ['https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t', 'teams'],
    ['https://contoso.webhook.office.com/webhookb2/abc', 'teams'],
    ['https://default1234.56.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc', 'teams'],
    ['https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t', 'googlechat'],
    ['webhook+http://127.0.0.1:9000/hook', 'webhook'],
    ['slack+http://127.0.0.1:9000/slack', 'slack'],
    ['TEAMS+https://relay.example.test/teams', 'teams'],
    ['googlechat+https://relay.example.test/chat', 'googlechat'],
    ['discord+https://relay.example.test/d', 'discord'],
  ])('recognises %s as %s', (entry, service) => {
    expect(parseWebhook(entry).service).toBe(service);
  });

  it('names a webhook by its origin only: the path and query are the secret', () => {
    const webhook = parseWebhook('https://hooks.slack.com/services/T0/B0/XYZ');
    expect(webhook.label).toBe('slack https://hooks.slack.com/…');
    expect(redactUrl('https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t')).toBe('https://chat.googleapis.com/…');
  });

  it('refuses an unknown host or scheme without repeating the URL', () => {
    const { webhooks, errors } = parseWebhookList('https://alerts.example.test/secret-token, ftp://x.example.test/a,\nwebhook+https://ok.example.test/h');
    expect(webhooks.map((w) => w.label)).toEqual(['webhook https://ok.example.test/…']);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/cannot tell which chat service alert webhook 1 of 3 \(https:\/\/alerts\.example\.test\/…\) is: write it as webhook\+https:\/\/…/);
    expect(errors[1]).toBe('alert webhook 2 of 3 (ftp://…) must be https:// (or http://)');
    expect(errors.join(' ')).not.toContain('secret-token');
  });

  it.each([
    ['hooks.slack.com/services/T0/B0/s3cr3t', 'it has no scheme (write it as https://…)'],
    ['https:', '"https:" is not followed by "//"'],
    ['https://', 'it has no host'],
    ['https://hooks.slack.com:99999/services/s3cr3t', 'its port is not a number from 0 to 65535'],
    ['https://user:s3cr3t@hooks.slack.com:44x/services/T0', 'its port is not a number from 0 to 65535'],
    ['https://hooks%slack.com/services/s3cr3t', 'its host holds a character a URL does not allow'],
  ])('says which entry is not a URL, and why, without repeating it: %s', (bad, why) => {
    const { webhooks, errors } = parseWebhookList(`webhook+https://ok.example.test/h, ${bad}, webhook+https://ok2.example.test/h`);
    expect(webhooks).toHaveLength(2);
    expect(errors).toEqual([`alert webhook 2 of 3 is not a URL: ${why}`]);
    expect(errors[0]).not.toContain('s3cr3t');
  });
});

describe('Markdown from a hostile server', () => {
  it.each([['teams', teamsPayload], ['discord', discordPayload]])('cannot become a link in %s', (_service, build) => {
    const hostile = sampleReport({ host: 'evil.example.test', checkedAt: NOW.toISOString(), status: 'critical', findings: [{ code: 'SELF_SIGNED', severity: 'critical', message: 'signed by [click here](https://phish.example.test)' }] });
    const text = allText(build(buildMessage([stored(hostile)])));
    expect(text).not.toContain('](https://phish');
    expect(text).toContain('[click here] (https://phish.example.test)');
  });
});
