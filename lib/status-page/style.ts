/** The status page's style sheet (inline: the page loads nothing). Colour always beside words. */
export const PAGE_STYLE = `
:root{--critical:#b3261e;--unknown:#6a4c93;--warning:#9a5b00;--ok:#1b6e3a;--line:#d9dce1;--muted:#5b616b;--bg:#fff;--fg:#1d2025;--stripe:#f6f7f9}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1200px;margin:0 auto;padding:0 16px}
header{padding-top:12px}
h1{font-size:22px;margin:8px 0 4px}
h2{font-size:16px;margin:20px 0 8px}
#run{margin:0 0 10px;color:var(--muted)}
#counts{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:0 0 8px}
#counts li{border:1px solid var(--line);border-left-width:6px;border-radius:4px;padding:6px 12px;min-width:110px}
#counts .n{display:block;font-size:24px;font-weight:700}
#counts [data-status=critical]{border-left-color:var(--critical)}
#counts [data-status=unknown]{border-left-color:var(--unknown)}
#counts [data-status=warning]{border-left-color:var(--warning)}
#counts [data-status=ok]{border-left-color:var(--ok)}
#timeline{width:100%;height:auto;border:1px solid var(--line);border-radius:4px;background:#fcfcfd}
#timeline .axis,#history .axis{stroke:#8a9099}
#timeline text,#history text{font-size:11px;fill:var(--muted)}
#timeline .mark{cursor:pointer}
.s-critical{fill:var(--critical)}.s-unknown{fill:var(--unknown)}.s-warning{fill:var(--warning)}.s-ok{fill:var(--ok)}
#controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:0 0 8px}
#controls input{min-width:260px}
#controls input,#controls select,#controls button{font:inherit;padding:3px 6px}
#shown{color:var(--muted)}
table{border-collapse:collapse;width:100%}
caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{position:sticky;top:0;background:var(--bg);border-bottom:2px solid #8a9099}
tbody tr:nth-child(even){background:var(--stripe)}
/* The table's cells by position: status, target, days left, expires, issuer, findings. */
tbody td:nth-child(1){font-weight:700;border-left:6px solid transparent;white-space:nowrap}
tbody td:nth-child(3),tbody td:nth-child(4){white-space:nowrap}
tbody td:nth-child(3){text-align:right}
tbody td:nth-child(2) small{color:var(--muted)}tbody td:nth-child(2) span{display:block;color:var(--muted);font-size:.85em}
tr[data-status=critical] td:nth-child(1){color:var(--critical);border-left-color:var(--critical)}
tr[data-status=unknown] td:nth-child(1){color:var(--unknown);border-left-color:var(--unknown)}
tr[data-status=warning] td:nth-child(1){color:var(--warning);border-left-color:var(--warning)}
tr[data-status=ok] td:nth-child(1){color:var(--ok);border-left-color:var(--ok)}
#detail{border:1px solid var(--line);border-left-width:6px;border-radius:4px;padding:4px 16px 12px;margin:0 0 12px;background:#fcfcfd}
#detail[data-status=critical]{border-left-color:var(--critical)}
#detail[data-status=unknown]{border-left-color:var(--unknown)}
#detail[data-status=warning]{border-left-color:var(--warning)}
#detail[data-status=ok]{border-left-color:var(--ok)}
#detail h2{display:inline-block;margin-right:12px}
#detail h3{font-size:14px;margin:12px 0 4px}
#detail ol,#detail ul{margin:0;padding-left:22px}
#detail dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:0}
#detail dd{margin:0}
#history{width:100%;max-width:640px;height:auto}
#history .changed{stroke:#1d2025;stroke-dasharray:3 2}
#history .trend{fill:none;stroke:#8a9099}
.muted{color:var(--muted)}
li.muted{list-style:none;margin-left:-22px}
#timeline text.empty{font-size:14px}
@media (prefers-color-scheme: dark){:root{--bg:#15171a;--fg:#e6e8eb;--line:#33373d;--muted:#a0a6ae;--stripe:#1c1f23;--critical:#ff8a80;--unknown:#c3a6ff;--warning:#ffc46b;--ok:#7bd88f}#timeline,#detail{background:#1a1d21}#history .changed{stroke:#e6e8eb}}
`;
