/**
 * Just enough XML for an XMPP stream's first elements (RFC 6120 4, 11): tags with attributes
 * in either quote style, namespace prefixes resolved, the XML declaration, comments and
 * whitespace skipped, an element read whole with its children. No DTDs (RFC 6120 11.1 forbids
 * them), no CDATA. Offsets are into a latin1 string, so they are byte offsets.
 */

/** Bytes that are not the XML this reads. */
export class MalformedXml extends Error {}

/** The namespaces in scope: prefix ('' for the default) to URI. */
export type Scope = ReadonlyMap<string, string>;

export interface XmlElement {
  /** The namespace URI and the local name. */
  ns: string;
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  text: string;
  /** Where the element starts and ends in the text read. */
  start: number;
  end: number;
}

interface Tag {
  kind: 'open' | 'close' | 'empty';
  qname: string;
  attrs: Map<string, string>;
  start: number;
  end: number;
  /** Character data between the previous tag and this one. */
  before: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function decode(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-f]+);/gi, (_, name: string) =>
    name[0] === '#' ? String.fromCodePoint(Number(name[1] === 'x' || name[1] === 'X' ? `0${name.slice(1)}` : name.slice(1))) : ENTITIES[name],
  );
}

/** The next tag from `from`; null when the text stops before it is complete. */
function nextTag(text: string, from: number): Tag | null {
  let at = from;
  let before = '';
  for (;;) {
    const open = text.indexOf('<', at);
    if (open < 0) return null;
    before += text.slice(at, open);
    if (text.startsWith('<?', open) || text.startsWith('<!--', open)) {
      const close = text.indexOf(text[open + 1] === '?' ? '?>' : '-->', open);
      if (close < 0) return null;
      at = close + (text[open + 1] === '?' ? 2 : 3);
      continue;
    }
    if (open + 1 >= text.length) return null;
    if (text[open + 1] === '!') throw new MalformedXml('a DTD or CDATA');
    const closing = text[open + 1] === '/';
    const name = /^[^\s/>=<'"]+/.exec(text.slice(open + (closing ? 2 : 1), open + 300));
    if (!name) throw new MalformedXml('a tag without a name');
    let p = open + (closing ? 2 : 1) + name[0].length;
    const attrs = new Map<string, string>();
    for (;;) {
      while (p < text.length && /\s/.test(text[p])) p++;
      if (p >= text.length) return null;
      if (text[p] === '>') return { kind: closing ? 'close' : 'open', qname: name[0], attrs, start: open, end: p + 1, before };
      if (text.startsWith('/>', p) && !closing) return { kind: 'empty', qname: name[0], attrs, start: open, end: p + 2, before };
      if (text[p] === '/' && p + 1 >= text.length) return null;
      const attr = /^([^\s/>=<'"]+)\s*=\s*(['"])/.exec(text.slice(p, p + 300));
      if (!attr) {
        if (/^[^\s/>=<'"]*\s*(=\s*)?$/.test(text.slice(p))) return null;
        throw new MalformedXml('a malformed attribute');
      }
      const valueStart = p + attr[0].length;
      const valueEnd = text.indexOf(attr[2], valueStart);
      if (valueEnd < 0) return null;
      attrs.set(attr[1], decode(text.slice(valueStart, valueEnd)));
      p = valueEnd + 1;
    }
  }
}

/** The scope inside a tag: its parent's, plus the tag's own xmlns declarations. */
function scopeOf(tag: Tag, parent: Scope): Scope {
  const scope = new Map(parent);
  for (const [name, value] of tag.attrs) {
    if (name === 'xmlns') scope.set('', value);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
  }
  return scope;
}

function resolve(qname: string, scope: Scope): { ns: string; name: string } {
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw new MalformedXml(`an undeclared prefix "${prefix}"`);
  return { ns: ns ?? '', name: qname.slice(colon + 1) };
}

function element(tag: Tag, scope: Scope): XmlElement {
  return { ...resolve(tag.qname, scope), attrs: tag.attrs, children: [], text: '', start: tag.start, end: tag.end };
}

/** The element whose start tag is `tag`, read to its end tag; null when the text stops before. */
function readRest(text: string, tag: Tag, parentScope: Scope): XmlElement | null {
  const scope = scopeOf(tag, parentScope);
  const root = element(tag, scope);
  if (tag.kind === 'empty') return root;
  const open: { el: XmlElement; qname: string; scope: Scope }[] = [{ el: root, qname: tag.qname, scope }];
  let at = tag.end;
  while (open.length > 0) {
    const next = nextTag(text, at);
    if (!next) return null;
    const top = open[open.length - 1];
    top.el.text += decode(next.before);
    at = next.end;
    if (next.kind === 'close') {
      if (next.qname !== top.qname) throw new MalformedXml(`</${next.qname}> closing <${top.qname}>`);
      top.el.end = next.end;
      open.pop();
      continue;
    }
    const childScope = scopeOf(next, top.scope);
    const child = element(next, childScope);
    top.el.children.push(child);
    if (next.kind === 'open') open.push({ el: child, qname: next.qname, scope: childScope });
  }
  return root;
}

const STREAMS = 'http://etherx.jabber.org/streams';

/** The server's stream header `<stream:stream ...>`: the scope it opens and where it ends; null while incomplete. */
export function readStreamHeader(text: string): { scope: Scope; end: number } | null {
  if (/^\s*[^\s<]/.test(text)) throw new MalformedXml('text before the stream header');
  const tag = nextTag(text, 0);
  if (!tag) return null;
  if (tag.before.trim() !== '' || tag.kind !== 'open') throw new MalformedXml('no stream header');
  const scope = scopeOf(tag, new Map());
  const { ns, name } = resolve(tag.qname, scope);
  if (ns !== STREAMS || name !== 'stream') throw new MalformedXml('no stream header');
  return { scope, end: tag.end };
}

/**
 * The next element at the stream's top level from `from` (whitespace between them is allowed),
 * or `closed` for the stream's end tag; null while incomplete.
 */
export function readTopLevel(text: string, from: number, scope: Scope): { element: XmlElement | 'closed'; end: number } | null {
  const tag = nextTag(text, from);
  if (!tag) {
    if (text.slice(from).trim() !== '' && !text.slice(from).includes('<')) throw new MalformedXml('text in the stream');
    return null;
  }
  if (tag.before.trim() !== '') throw new MalformedXml('text in the stream');
  if (tag.kind === 'close') {
    const { ns, name } = resolve(tag.qname, scope);
    if (ns !== STREAMS || name !== 'stream') throw new MalformedXml(`</${tag.qname}> closing the stream`);
    return { element: 'closed', end: tag.end };
  }
  const el = readRest(text, tag, scope);
  return el ? { element: el, end: el.end } : null;
}

export const NS = {
  streams: STREAMS,
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  streamErrors: 'urn:ietf:params:xml:ns:xmpp-streams',
};
