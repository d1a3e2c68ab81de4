/**
 * The status page's script: paging, the status filter and the search over the rows the server
 * rendered, the expiry timeline, and the detail view of one target (from the page's JSON data).
 * Plain browser JavaScript in a string, inlined into the page; it builds every node with
 * textContent and createElementNS, never from HTML text, so nothing a server put in a
 * certificate can run.
 */
export const PAGE_SCRIPT = String.raw`(function () {
'use strict';
var SVG = 'http://www.w3.org/2000/svg';
var STATUS = ['critical', 'unknown', 'warning', 'ok'];
var SEVERITY = { i: 'info', w: 'warning', c: 'critical', u: 'unknown' };
var VERDICT = { s: 'supported', p: 'partial', u: 'unsupported', n: 'not applicable', e: 'error', k: 'skipped' };
var PAGE_ROWS = 100;
var DAY_MS = 86400000;
var data = JSON.parse(document.getElementById('page-data').textContent);
var strings = data.strings;
var runDay = Date.parse(data.run.day + 'T00:00:00Z');
var tbody = document.querySelector('#targets tbody');
var rows = Array.prototype.slice.call(tbody.rows);
var byKey = new Map();
// A row's key is written only where it is not the one its target cell gives ([scheme~]host_port[_address],
// colons as '-', as the store's keys); the script puts it on every row.
function keyOf(tr) {
  var cell = tr.cells[1];
  var m = /^(?:([a-z0-9]+):\/\/)?\[?(.*?)\]?:(\d+)$/.exec(cell.firstChild.textContent.trim());
  var small = cell.querySelector('small');
  // A scheme is shown only where TLS is reached by STARTTLS, and such a key starts with it.
  return (m[1] ? m[1] + '~' : '') + [m[2], m[3]].concat(small ? [small.textContent] : []).join('_').replace(/:/g, '-');
}
var items = rows.map(function (tr, i) {
  var daysText = tr.cells[2].textContent;
  if (!tr.hasAttribute('data-key')) tr.setAttribute('data-key', keyOf(tr));
  var item = { tr: tr, i: i, key: tr.getAttribute('data-key'), status: tr.getAttribute('data-status'), days: /\d/.test(daysText) ? Number(daysText) : null, text: null };
  byKey.set(item.key, item);
  return item;
});
var filter = document.getElementById('status-filter');
var search = document.getElementById('search');
var shown = document.getElementById('shown');
var prev = document.getElementById('prev');
var next = document.getElementById('next');
var page = 0;
var visible = items;

function el(name, attrs, text) {
  var node = name.indexOf('svg:') === 0 ? document.createElementNS(SVG, name.slice(4)) : document.createElement(name);
  for (var k in attrs) node.setAttribute(k, String(attrs[k]));
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function dayOf(offset) { return new Date(runDay + offset * DAY_MS).toISOString().slice(0, 10); }
function searchText(item) {
  if (item.text === null) {
    var row = data.rows[item.i];
    var messages = row[0].map(function (f) { return f[2]; }).join(' ');
    item.text = (item.tr.textContent + ' ' + (row[12] === null ? '' : strings[row[12]]) + ' ' + messages + ' ' + item.key).toLowerCase();
  }
  return item.text;
}
// A shown row's target links to its detail view (the server leaves it plain text).
function link(item) {
  var cell = item.tr.cells[1];
  var text = cell.firstChild;
  if (!text || text.nodeType !== 3) return;
  var a = el('a', { href: '#t=' + encodeURIComponent(item.key) }, text.nodeValue);
  cell.replaceChild(a, text);
}
function targetText(item) {
  return item.tr.cells[1].firstChild.textContent.trim();
}
function matches(item, status, words) {
  if (status === 'problems' ? item.status === 'ok' : status !== 'all' && item.status !== status) return false;
  for (var i = 0; i < words.length; i++) if (searchText(item).indexOf(words[i]) < 0) return false;
  return true;
}
function render() {
  var pages = Math.max(1, Math.ceil(visible.length / PAGE_ROWS));
  if (page >= pages) page = pages - 1;
  var from = page * PAGE_ROWS;
  var to = Math.min(visible.length, from + PAGE_ROWS);
  // Only the page's rows stay in the table; the others wait outside the document (cheaper than
  // hiding thousands of rows one by one).
  var fragment = document.createDocumentFragment();
  visible.slice(from, to).forEach(function (item) {
    link(item);
    fragment.appendChild(item.tr);
  });
  tbody.textContent = '';
  tbody.appendChild(fragment);
  shown.textContent = visible.length === 0 ? 'No target matches' : 'Showing ' + (from + 1) + '\u2013' + to + ' of ' + visible.length;
  prev.disabled = page === 0;
  next.disabled = page >= pages - 1;
}
function apply() {
  var status = filter.value;
  var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  visible = items.filter(function (item) { return matches(item, status, words); });
  page = 0;
  render();
}
filter.addEventListener('change', apply);
search.addEventListener('input', apply);
prev.addEventListener('click', function () { page -= 1; render(); });
next.addEventListener('click', function () { page += 1; render(); });
document.getElementById('controls').hidden = false;
render();

// The expiry timeline: every certificate with 90 days or fewer left, one mark each, stacked by day.
(function timeline() {
  var svg = document.getElementById('timeline');
  var W = 960, LEFT = 84, RIGHT = 44, PER_DAY = (W - LEFT - RIGHT) / 90;
  var columns = new Map();
  var tallest = 1;
  items.forEach(function (item) {
    if (item.days === null || item.days > 90) return;
    var column = item.days < 0 ? -1 : item.days;
    if (!columns.has(column)) columns.set(column, []);
    columns.get(column).push(item);
    tallest = Math.max(tallest, columns.get(column).length);
  });
  // As tall as the highest stack needs, within bounds; a taller stack is packed closer.
  var H = Math.round(Math.min(220, Math.max(90, 60 + tallest * 7)));
  var BASE = H - 34;
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  function x(column) { return column < 0 ? 30 : LEFT + column * PER_DAY; }
  svg.appendChild(el('svg:line', { class: 'axis', x1: LEFT - 4, y1: BASE + 5, x2: W - RIGHT, y2: BASE + 5 }));
  for (var d = 0; d <= 90; d += 15) {
    svg.appendChild(el('svg:line', { class: 'axis', x1: x(d), y1: BASE + 5, x2: x(d), y2: BASE + 10 }));
    svg.appendChild(el('svg:text', { x: x(d), y: BASE + 22, 'text-anchor': 'middle' }, d === 0 ? 'today' : dayOf(d).slice(5) + ' (' + d + ' d)'));
  }
  svg.appendChild(el('svg:text', { x: 30, y: BASE + 22, 'text-anchor': 'middle' }, 'expired'));
  var marks = 0, expired = 0;
  columns.forEach(function (list, column) {
    var step = Math.min(7, (BASE - 12) / list.length);
    list.forEach(function (item, k) {
      var mark = el('svg:circle', { class: 'mark s-' + item.status, cx: x(column).toFixed(1), cy: (BASE - 3 - k * step).toFixed(1), r: 3, 'data-key': item.key, 'data-days': item.days, 'data-status': item.status });
      var where = targetText(item);
      mark.appendChild(el('svg:title', {}, where + ': ' + (item.days < 0 ? 'expired ' + -item.days + ' day(s) ago' : item.days + ' day(s) left') + ' (' + item.status + ')'));
      svg.appendChild(mark);
      marks += 1;
      if (item.days < 0) expired += 1;
    });
  });
  if (marks === 0) svg.appendChild(el('svg:text', { class: 'empty', x: W / 2, y: BASE / 2 + 10, 'text-anchor': 'middle' }, 'No certificate expires in the next 90 days.'));
  svg.setAttribute('aria-label', marks + ' certificate(s) expire within 90 days' + (expired ? ', ' + expired + ' already expired' : '') + '; the table lists them all');
  svg.addEventListener('click', function (event) {
    var mark = event.target.closest && event.target.closest('.mark');
    if (mark) location.hash = '#t=' + encodeURIComponent(mark.getAttribute('data-key'));
  });
  document.getElementById('timeline-section').hidden = false;
})();

// The detail view of one target: its latest report in words and its history.
var detail = document.getElementById('detail');
function verdictWords(letter) { return VERDICT[letter] || letter; }
function historyChart(svg, spans) {
  clear(svg);
  var W = 640, H = 170, LEFT = 44, RIGHT = 10, TOP = 10, BOTTOM = H - 28;
  var points = [];
  spans.forEach(function (span) {
    for (var i = 0; i < span[1]; i++) points.push({ offset: span[0] + i, status: STATUS[span[2]], days: span[3] === null ? null : span[3] - i, changed: span[4] === 1 && i === 0 });
  });
  var values = points.filter(function (p) { return p.days !== null; }).map(function (p) { return p.days; });
  var hi = values.length ? Math.max.apply(null, values.concat([0])) : 1;
  var lo = values.length ? Math.min.apply(null, values.concat([0])) : 0;
  if (hi === lo) hi = lo + 1;
  function x(offset) { return LEFT + ((offset + 89) / 89) * (W - LEFT - RIGHT); }
  function y(days) { return days === null ? BOTTOM : BOTTOM - ((days - lo) / (hi - lo)) * (BOTTOM - TOP); }
  svg.appendChild(el('svg:line', { class: 'axis', x1: LEFT, y1: BOTTOM, x2: W - RIGHT, y2: BOTTOM }));
  svg.appendChild(el('svg:line', { class: 'axis', x1: LEFT, y1: TOP, x2: LEFT, y2: BOTTOM }));
  svg.appendChild(el('svg:text', { x: LEFT - 6, y: TOP + 4, 'text-anchor': 'end' }, hi + ' d'));
  svg.appendChild(el('svg:text', { x: LEFT - 6, y: y(lo) + 4, 'text-anchor': 'end' }, lo + ' d'));
  svg.appendChild(el('svg:text', { x: LEFT, y: H - 8 }, dayOf(-89)));
  svg.appendChild(el('svg:text', { x: W - RIGHT, y: H - 8, 'text-anchor': 'end' }, dayOf(0)));
  var trend = points.filter(function (p) { return p.days !== null; }).map(function (p) { return x(p.offset).toFixed(1) + ',' + y(p.days).toFixed(1); });
  if (trend.length > 1) svg.appendChild(el('svg:polyline', { class: 'trend', points: trend.join(' ') }));
  points.forEach(function (p) {
    var day = dayOf(p.offset);
    if (p.changed) {
      var line = el('svg:line', { class: 'changed', x1: x(p.offset), y1: TOP, x2: x(p.offset), y2: BOTTOM, 'data-day': day });
      line.appendChild(el('svg:title', {}, day + ': certificate changed'));
      svg.appendChild(line);
    }
    var point = el('svg:circle', { class: 'point s-' + p.status, cx: x(p.offset).toFixed(1), cy: y(p.days).toFixed(1), r: 3, 'data-day': day, 'data-days': p.days === null ? '' : p.days, 'data-status': p.status });
    point.appendChild(el('svg:title', {}, day + ': ' + p.status + (p.days === null ? ', no certificate' : ', ' + p.days + ' day(s) left')));
    svg.appendChild(point);
  });
  svg.setAttribute('aria-label', 'Days remaining and status on ' + points.length + ' day(s) of the last 90' + (points.some(function (p) { return p.changed; }) ? ', with certificate changes marked' : ''));
}
function list(id, values) {
  var node = document.getElementById(id);
  clear(node);
  values.forEach(function (value) { node.appendChild(el('li', {}, value)); });
  if (values.length === 0) node.appendChild(el('li', { class: 'muted' }, 'none'));
}
function open(key) {
  var item = byKey.get(key);
  if (!item) return close();
  var row = data.rows[item.i];
  detail.setAttribute('data-status', item.status);
  document.getElementById('detail-title').textContent = item.tr.cells[1].textContent;
  link(item);
  var expires = item.tr.cells[3].textContent;
  document.getElementById('detail-status').textContent = item.status + (item.days === null ? ', no certificate seen' : item.days < 0 ? ', expired ' + -item.days + ' day(s) ago (' + expires + ')' : ', ' + item.days + ' day(s) left (expires ' + expires + ')') + (row[9] === null ? '' : ', ' + strings[row[9]]) + '; checked ' + strings[row[11]];
  var findings = document.getElementById('detail-findings');
  clear(findings);
  row[0].forEach(function (f) {
    var li = el('li', { 'data-code': f[0], 'data-severity': SEVERITY[f[1]] });
    li.appendChild(el('strong', {}, f[0] + ' (' + SEVERITY[f[1]] + ')'));
    li.appendChild(document.createTextNode(': ' + f[2]));
    findings.appendChild(li);
  });
  if (row[0].length === 0) findings.appendChild(el('li', { class: 'muted' }, 'no findings'));
  // A certificate named -1 is the common leaf subject "CN=<host>", written so to keep the page small.
  var host = targetText(item).replace(/^[a-z0-9]+:\/\//, '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  var name = function (i) { return i === -1 ? 'CN=' + host : strings[i]; };
  var subject = row[10] !== null ? name(row[10]) : row[1].length ? name(row[1][0]) : null;
  document.getElementById('detail-subject').textContent = subject === null ? 'no certificate' : subject;
  document.getElementById('detail-issuer').textContent = row[12] === null ? 'no certificate' : strings[row[12]];
  // The names are carried only where a name is the problem; the report lists them always.
  document.getElementById('detail-names-label').hidden = document.getElementById('detail-names').hidden = row[8] === null;
  document.getElementById('detail-names').textContent = row[8] === null ? '' : row[8].length ? row[8].join(', ') : 'none';
  list('detail-presented', row[1].map(name));
  list('detail-path', row[1].slice(0, row[2][0]).concat(row[2].slice(1)).map(name));
  document.getElementById('detail-trust').textContent = row[3] === 1 ? 'verified up to a trusted root' : row[3] === 0 ? 'not verified up to a trusted root' : 'no chain was seen';
  var resumption = document.getElementById('detail-resumption');
  ['sessionId', 'ticket', 'tls13'].forEach(function (kind, i) {
    resumption.querySelector('dd[data-kind="' + kind + '"]').textContent = verdictWords(row[4].charAt(i));
  });
  document.getElementById('detail-revocation').textContent = row[5] === null ? 'not known' : strings[row[5]];
  var report = document.getElementById('detail-report');
  report.hidden = row[7] !== 1;
  report.setAttribute('href', 'latest/' + encodeURIComponent(key) + '.json');
  historyChart(document.getElementById('history'), row[6]);
  document.getElementById('history-none').hidden = row[6].length > 0;
  detail.hidden = false;
  var title = document.getElementById('detail-title');
  title.focus();
  detail.scrollIntoView({ block: 'start' });
}
function close() {
  detail.hidden = true;
}
function fromHash() {
  var m = /^#t=(.*)$/.exec(location.hash);
  if (!m) return close();
  var key;
  try { key = decodeURIComponent(m[1]); } catch (e) { return close(); }
  open(key);
}
document.getElementById('detail-close').addEventListener('click', function () {
  close();
  history.replaceState(null, '', location.pathname + location.search);
});
window.addEventListener('hashchange', fromHash);
fromHash();
})();
`;
