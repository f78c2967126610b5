"""The health page: one self-contained HTML file (inline CSS and SVG, no script) from the run history."""

from __future__ import annotations

import html
import time
from datetime import datetime, timedelta

from newscrawl.dates import CHINA_TZ

CHART_DAYS = 90
FAILING = ("broken", "blocked")
# broken and blocked sources first: they need a human
STATUS_ORDER = {"broken": 0, "blocked": 1, "interrupted": 2, "no runs": 3, "idle": 4, "ok": 5}
STATUS_COLOUR = {"broken": "#c62828", "blocked": "#8e24aa", "interrupted": "#ef6c00", "no runs": "#757575",
                 "idle": "#546e7a", "ok": "#2e7d32"}
BAR_W, BARS_H, STRIP_Y, STRIP_H = 3, 30, 34, 8


def _day(ts: float):
    return datetime.fromtimestamp(ts, CHINA_TZ).date()


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, CHINA_TZ).strftime("%Y-%m-%d %H:%M") if ts else "—"


def source_health(name: str, runs: list[dict], now: float) -> dict:
    """Status now, last success, articles archived lately, failing since, and 90 days of figures."""
    runs = sorted(runs, key=lambda r: r["started_at"])
    last = runs[-1] if runs else None
    successes = [r for r in runs if r["status"] in ("ok", "idle")]
    failing_since = None
    if last and last["status"] in FAILING:
        # the start of the current streak of failed runs (an interrupted run neither ends nor starts one)
        for run in reversed(runs):
            if run["status"] in FAILING:
                failing_since = run["started_at"]
            elif run["status"] != "interrupted":
                break
    today = _day(now)
    first = today - timedelta(days=CHART_DAYS - 1)
    articles, failed = [0] * CHART_DAYS, [0] * CHART_DAYS
    for run in runs:
        index = (_day(run["started_at"]) - first).days
        if 0 <= index < CHART_DAYS:
            articles[index] += run["articles_written"]
            failed[index] += run["status"] in FAILING
    recent = [r for r in runs if r["started_at"] >= now - 30 * 86400]

    def recent_total(key: str) -> int:
        """A summary figure (the history row's counts) added up over the last 30 days."""
        return sum(int((r.get("counts") or {}).get(key) or 0) for r in recent)

    doubtful, extracted = recent_total("doubtful"), recent_total("extracted")
    notes = []
    if doubtful:
        # the generic path guessed and said it was unsure: selectors for the source would settle it
        notes.append(f"extraction doubtful on {doubtful} of {extracted} articles in 30 days — add selectors")
    return {
        "name": name, "status": last["status"] if last else "no runs", "last_run": last["started_at"] if last else None,
        "last_success": successes[-1]["started_at"] if successes else None,
        "written_7": sum(r["articles_written"] for r in runs if r["started_at"] >= now - 7 * 86400),
        "written_30": sum(r["articles_written"] for r in recent),
        # files kept with the articles (NEWSCRAWL_FILES) and downloads that failed, last 30 days
        "files_kept_30": recent_total("files_kept"), "files_failed_30": recent_total("files_failed"),
        "failing_since": failing_since, "problems": last["problems"] if last else [], "notes": notes,
        "doubtful": doubtful, "extracted": extracted,
        # edits the re-checks found, and articles the site took down (issue 17)
        "revised_30": recent_total("articles_revised"), "withdrawn_30": recent_total("articles_withdrawn"),
        "articles_per_day": articles, "failed_runs_per_day": failed, "first_day": first,
    }


def chart_svg(health: dict) -> str:
    """Articles per day as bars, days with failed runs as a red strip underneath (oldest day left)."""
    articles, failed = health["articles_per_day"], health["failed_runs_per_day"]
    top = max(articles) or 1
    width, height = BAR_W * CHART_DAYS, STRIP_Y + STRIP_H
    parts = []
    for i, (n, f) in enumerate(zip(articles, failed)):
        day = (health["first_day"] + timedelta(days=i)).isoformat()
        if n:
            h = max(1, round(BARS_H * n / top))
            parts.append(f'<rect class="a" x="{i * BAR_W}" y="{BARS_H - h}" width="{BAR_W - 1}" height="{h}">'
                         f"<title>{day}: {n} articles</title></rect>")
        if f:
            parts.append(f'<rect class="f" x="{i * BAR_W}" y="{STRIP_Y}" width="{BAR_W - 1}" height="{STRIP_H}">'
                         f"<title>{day}: {f} failed runs</title></rect>")
    label = (f"{health['name']}: {sum(articles)} articles and {sum(failed)} failed runs "
             f"in the last {CHART_DAYS} days")
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(label)}">'
            f'<line x1="0" y1="{BARS_H + 0.5}" x2="{width}" y2="{BARS_H + 0.5}" class="base"/>'
            + "".join(parts) + "</svg>")


STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:16px;color:#222}
h1{font-size:20px;margin:0 0 4px} p.meta{color:#555;margin:0 0 16px}
table{border-collapse:collapse;width:100%} th,td{padding:4px 6px;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
thead th{background:#f4f4f4;font-weight:600;font-size:12px} tbody th{font-weight:600;overflow-wrap:anywhere;min-width:130px}
td.when,td.n{white-space:nowrap;font-size:12px} td.n{text-align:right;font-variant-numeric:tabular-nums}
.status{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px;white-space:nowrap}
span.failed{color:#c62828} td.problem{color:#555;font-size:12px;min-width:160px;overflow-wrap:anywhere} td.problem .note{color:#777}
h2{font-size:16px;margin:24px 0 8px} td.url{word-break:break-all;font-size:12px}
svg.chart{display:block} svg.chart rect.a{fill:#1e88e5} svg.chart rect.f{fill:#e53935} svg.chart line.base{stroke:#bbb;stroke-width:1}
.legend{font-weight:400;font-size:11px;white-space:nowrap} .legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 0;vertical-align:middle} .legend span+span{margin-left:8px}
"""


def _status_cell(h: dict) -> str:
    colour = STATUS_COLOUR.get(h["status"], "#757575")
    return f'<td><span class="status" style="background:{colour}">{html.escape(h["status"])}</span></td>'


def _problems_cell(h: dict) -> str:
    """The last run's problems, then any notes (one line each): what a human should look at."""
    lines = [html.escape(p) for p in h["problems"]]
    lines += [f'<span class="note">{html.escape(n)}</span>' for n in h.get("notes", ())]
    return f'<td class="problem">{"<br>".join(lines)}</td>'


# The table, one (header, cell) pair per column: a new figure is one more entry here (and a key
# that source_health, or whoever adds to its dict, fills in).
COLUMNS = [
    ("status now", _status_cell),
    ("last run", lambda h: f'<td class="when">{_when(h["last_run"])}</td>'),
    ("last success", lambda h: f'<td class="when">{_when(h["last_success"])}</td>'),
    ("archived 7&nbsp;d", lambda h: f'<td class="n">{h["written_7"]}</td>'),
    ("archived 30&nbsp;d", lambda h: f'<td class="n">{h["written_30"]}</td>'),
    ("failing since", lambda h: f'<td class="when">{_when(h["failing_since"])}</td>'),
    (f'last {CHART_DAYS} days<br><span class="legend"><span style="background:#1e88e5"></span>articles/day'
     '<span style="background:#e53935"></span>failed runs</span>', lambda h: f"<td>{chart_svg(h)}</td>"),
    ("last run's problems", _problems_cell),
    # files kept with the articles (issue 18), and the downloads that failed
    ("files kept 30&nbsp;d", lambda h: f'<td class="n files">{h["files_kept_30"]}'
     + (f' <span class="failed">({h["files_failed_30"]} failed)</span>' if h["files_failed_30"] else "") + "</td>"),
    # edits the re-checks found, and articles the site took down (issue 17)
    ("revised 30&nbsp;d", lambda h: f'<td class="n">{h["revised_30"]}</td>'),
    ("withdrawn 30&nbsp;d", lambda h: f'<td class="n">{h["withdrawn_30"]}</td>'),
]


def changes_table(changes: list[dict]) -> str:
    """Articles the sites edited or withdrew lately (from the state), most recent first."""
    if not changes:
        return ""
    e = html.escape
    rows = []
    for c in changes:
        what = (f"withdrawn ({e(c['withdrawn_reason'])})" if c["withdrawn_at"]
                else f"revised ({c['revisions']} revision{'s' if c['revisions'] != 1 else ''})")
        rows.append(f'<tr><td class="when">{_when(c["withdrawn_at"] or c["revised_at"])}</td><td>{e(c["source"])}</td>'
                    f'<td>{what}</td><td class="url">{e(c["url"])}</td></tr>')
    return ('<h2>Articles revised or withdrawn by their sites (last 30 days)</h2>\n<table id="changes"><thead><tr>'
            "<th>when</th><th>source</th><th>what</th><th>article</th></tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody></table>")


def render_report(names, runs: list[dict], now: float | None = None, changes: list[dict] | None = None) -> str:
    """The whole page: one row per source (archive folder) named or found in the history, broken and
    blocked first; then the articles their sites revised or withdrew lately (`changes`, from the state)."""
    now = time.time() if now is None else now
    by_source: dict[str, list[dict]] = {name: [] for name in names}
    for run in runs:
        by_source.setdefault(run["source"], []).append(run)
    rows = sorted((source_health(n, r, now) for n, r in by_source.items()),
                  key=lambda h: (STATUS_ORDER.get(h["status"], 2), h["name"]))
    counts: dict[str, int] = {}
    for h in rows:
        counts[h["status"]] = counts.get(h["status"], 0) + 1
    overview = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda x: STATUS_ORDER.get(x[0], 2)))
    e = html.escape
    body = [f'<tr class="source" data-status="{e(h["status"])}"><th scope="row">{e(h["name"])}</th>'
            + "".join(cell(h) for _, cell in COLUMNS) + "</tr>" for h in rows]
    headers = "".join(f"<th>{header}</th>" for header, _ in COLUMNS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>newscrawl — source health</title><style>{STYLE}</style></head>
<body><h1>newscrawl — source health</h1>
<p class="meta">Generated {_when(now)} (China time, UTC+08:00) from the run history · {len(rows)} sources: {e(overview or "none")}</p>
<table id="sources"><thead><tr><th>source</th>{headers}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
{changes_table(changes or [])}</body></html>
"""
