"""The review dict (compose.py) as plain Markdown and as one self-contained HTML page."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from . import svg
from .figures import inr

SECTION_ORDER = (
    "month",
    "net_worth",
    "bills",
    "spending",
    "subscriptions",
    "income",
    "transfers",
    "uncategorized",
    "balances",
    "gaps",
    "budgets",
    "portfolio",
    "power",
    "books",
    "health",
)


def _m(value: float | None) -> str:
    return inr(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


_CHANGE = {"new": "new", "price_rise": "price rise", None: ""}


def _month_line(s: dict[str, Any]) -> str:
    last = s["last_month"]
    return (
        f"Spent {_m(s['spending'])} from {s['from']} to {s['to']} against {_m(last['spending'])} "
        f"in the same days of last month ({_signed(s['change'])}); came in {_m(s['income'])}; "
        f"savings rate {_pct(s['savings_rate'])}."
    )


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + _m(value)


def _net_worth_line(s: dict[str, Any]) -> str:
    parts = f"bank {_m(s['bank'])} + portfolio {_m(s['portfolio'])} − cards {_m(s['cards'])}"
    change = f"; {_signed(s['change'])} since {s['change_from']}" if s["change"] is not None else ""
    return f"Net worth {_m(s['total'])} ({parts}){change}."


def _subscriptions_table(s: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return ["Payee", "Amount", "Every", "Next", "Change"], [
        [
            (x["payee"], x.get("link")),
            _m(x["amount"]),
            x["cadence"].removesuffix("ly"),
            x["next_expected"],
            _CHANGE[x["change"]]
            + (f" (was {_m(x['previous_amount'])})" if x["change"] == "price_rise" else ""),
        ]
        for x in s["subscriptions"]
    ]


def _bills_table(s: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return ["Card", "Total due", "Minimum", "Due", "Days left"], [
        [
            (b["card"], b.get("link")),
            _m(b["total_due"]),
            _m(b["minimum_due"]),
            b["due"],
            "paid"
            if b["paid"]
            else str(b["days_left"])
            if b["days_left"] >= 0
            else f"overdue {-b['days_left']}",
        ]
        for b in s["bills"]
    ]


def _text(cell: Any) -> str:
    return str(cell[0] if isinstance(cell, tuple) else cell)


def _weekday(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%a %d")


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (cells with '|' escaped)."""
    cell = lambda s: _text(s).replace("|", "\\|")  # noqa: E731
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out


def _section_md(key: str, s: dict[str, Any]) -> list[str]:
    lines = [f"## {s['title']}", ""]
    if "note" in s and len(s) == 2:  # title + note: nothing else to show
        return [*lines, f"_{s['note']}_", ""]
    if key == "month":
        lines.append(_month_line(s))
    elif key == "net_worth":
        lines.append(_net_worth_line(s))
        lines += [
            "",
            "12-week trend: " + ", ".join(f"{p['date']} {_m(p['total'])}" for p in s["trend"]),
        ]
    elif key == "subscriptions":
        lines += _table(*_subscriptions_table(s))
    elif key == "bills":
        lines += _table(*_bills_table(s))
    elif key == "spending":
        lines.append(
            f"Spent **{_m(s['total'])}** in {s['count']} debits "
            f"(4-week average {_m(s['average_total'])})."
        )
        if s["average_note"]:
            lines.append(f"_{s['average_note']}_")
        lines.append("")
        lines += _table(
            ["Category", "This week", "4-week average"],
            [[c["category"], _m(c["amount"]), _m(c["average"])] for c in s["categories"]],
        )
        lines += ["", "Top merchants:", ""]
        lines += _table(
            ["Merchant", "Amount", "Debits"],
            [[m["merchant"], _m(m["amount"]), str(m["count"])] for m in s["merchants"]],
        )
        lines += ["", "Largest:", ""]
        lines += _table(
            ["Date", "Amount", "Payee", "Category"],
            [
                [t["date"], _m(t["amount"]), t["payee"] or "", t["category"] or ""]
                for t in s["largest"]
            ],
        )
    elif key == "income":
        lines.append(f"Came in: **{_m(s['total'])}**")
        lines.append("")
        lines += _table(
            ["Category", "Amount"], [[c["category"], _m(c["amount"])] for c in s["categories"]]
        )
    elif key == "transfers":
        lines.append(
            f"{s['count']} transfers: out {_m(s['out'])}, in {_m(s['in'])} "
            "(not counted as spending or income)."
        )
    elif key == "uncategorized":
        for t in s["transactions"]:
            lines.append(
                f"- {t['date']} {t['direction']} {_m(t['amount'])} "
                f"{t['payee'] or '(no counterparty)'} ({t['account']})"
            )
            lines += ["", "  ```toml"] + [f"  {r}" for r in t["rule"].splitlines()] + ["  ```"]
    elif key == "balances":
        if s["accounts"]:
            lines += _table(*_accounts_table(s))
        if s["cards"]:
            lines += ["", "Credit cards (what is owed, as the books say; the limit apart):", ""]
            lines += _table(*_cards_table(s))
        if s.get("cards_note"):
            lines += ["", f"_{s['cards_note']}_"]
    elif key == "gaps":
        lines += [f"- {_gap_text(g)}" for g in s.get("gaps", ())]
        lines += [f"- {t['text']}" for t in s.get("not_on_statement", ())]
    elif key == "budgets":
        lines += _table(BUDGET_HEAD, [_budget_cells(b) for b in s["budgets"]])
    elif key == "portfolio":
        if "start_value" in s:
            lines.append(
                f"Value {_m(s['start_value'])} ({s['start_at']}) → "
                f"{_m(s['end_value'])} ({s['end_at']}): P&L **{_m(s['pnl'])}**"
            )
            lines.append("")
            lines += _table(
                ["Symbol", "Change %", "Value change"],
                [
                    [m["symbol"], f"{m['change_pct']:+.2f}", _m(m["value_change"])]
                    for m in s["movers"]
                ],
            )
        else:
            lines.append(f"Value {_m(s['end_value'])} ({s['end_at']}).")
    elif key == "books":
        for c in s["checks"]:
            lines.append(
                f"- {'ok' if c['passed'] else 'FAILED'} `{c['check']}`: {c['description']}"
            )
    elif key == "health":
        runs = s["failed_runs"]
        lines.append(f"- failed runs: {len(runs)}")
        lines += [f"  - {r['at']} {r['job']} ({r['run_id']})" for r in runs]
        ticks = s["skipped_ticks"]
        lines.append(f"- skipped schedule ticks: {'not known' if ticks is None else ticks}")
        lines.append(f"- unrecognized bank SMS: {s['unrecognized_messages']}")
        stale = s["stale_feeds"]
        lines.append(f"- stale feeds: {len(stale)}")
        lines += [f"  - `{f['check']}` failed {f['failures']} time(s)" for f in stale]
    elif key == "power":
        lines += _power_md(s)
    else:  # a section another domain fills: its fields as a list
        lines += [f"- {k}: {v}" for k, v in s.items() if k not in ("title", "note")]
    if "note" in s:
        lines += ["", f"_{s['note']}_"]
    return [*lines, ""]


def _accounts_table(s: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return ["Account", "Balance", "As of"], [
        [
            (a["account"] + (" (wallet)" if a["instrument"] == "wallet" else ""), a.get("link")),
            _m(a["balance"]),
            a["as_of"],
        ]
        for a in s["accounts"]
    ]


def _cards_table(s: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return ["Card", "Outstanding", "Available limit", "Limit as of"], [
        [
            (c["account"], c.get("link")),
            _m(c["outstanding"]),
            _m(c["available_limit"]),
            c["limit_as_of"] or "—",
        ]
        for c in s["cards"]
    ]


BUDGET_HEAD = ["Account", "Budget", "Spent", "Left", "Month-end at this pace"]


def _budget_cells(b: dict[str, Any]) -> list[str]:
    left = _m(b["left"]) if b["left"] >= 0 else f"{_m(-b['left'])} over"
    return [b["account"], _m(b["budget"]), _m(b["spent"]), left, _m(b["projected"])]


def _gap_text(g: dict[str, Any]) -> str:
    explained = g["explained_by_entry_of"]
    if explained and g.get("explained_by") == "statement":
        return g["text"] + f" (explained by the bank statement's line of {explained})"
    return g["text"] + (f" (explained by your entry of {explained})" if explained else "")


def _outage_text(o: dict[str, Any]) -> str:
    if o["ongoing"]:
        until = "ongoing at the last sample"
    elif o["end_reason"] == "gap":
        until = f"last sample on battery {o['end']} (a gap follows: unknown after)"
    else:
        until = f"AC back {o['end']}"
    low = o["lowest_charge_percent"]
    return (
        f"outage from {o['start']}, {until}: {o['duration_minutes']} min on {o['source']}, "
        f"lowest charge {'not known' if low is None else f'{low:g}%'}"
    )


def _power_lines(s: dict[str, Any]) -> list[str]:
    """The power section as plain lines (the same words in Markdown and HTML)."""
    lines = [f"time on battery: {s['battery_minutes']:g} min"]
    low = s["lowest_charge"]
    lines.append(
        "lowest charge: not known"
        if low is None
        else f"lowest charge: {low['percent']:g}% at {low['at']}"
    )
    outages = s["outages"]
    lines.append(f"outages: {len(outages)}" if outages else "outages: none")
    lines += [f"  {_outage_text(o)}" for o in outages]
    gaps = s["gaps"]
    lines.append(f"gaps (no samples: machine off or asleep, or the sampler stopped): {len(gaps)}")
    lines += [f"  gap {g['start']} to {g['end']} ({g['duration_minutes']} min)" for g in gaps]
    lines += s["coverage"]
    health = s["health"]
    if health:
        parts = [
            f"{name} {health[k]}{unit}"
            for k, name, unit in (
                ("condition", "condition", ""),
                ("maximum_capacity_percent", "maximum capacity", "%"),
                ("cycle_count", "cycles", ""),
            )
            if health.get(k) is not None
        ]
        lines.append("battery health: " + (", ".join(parts) or "reported without figures"))
    else:
        lines.append("battery health: not checked during this week")
    return lines


def _power_md(s: dict[str, Any]) -> list[str]:
    out = []
    for line in _power_lines(s):
        out.append(f"  - {line.strip()}" if line.startswith("  ") else f"- {line}")
    return out


def render_markdown(review: dict[str, Any]) -> str:
    """Plain, diff-friendly Markdown (no timestamps of when it was written)."""
    lines = [f"# Week {review['week']}: {review['from']} to {review['to']}", ""]
    cov = review["coverage"]
    for q in cov["quiet"]:
        lines.append(f"> no bank SMS from {q['text']}: the source was quiet")
    if cov["quiet"]:
        lines.append("")
    for key in SECTION_ORDER:
        lines += _section_md(key, review[key])
    return "\n".join(lines).rstrip("\n") + "\n"


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;
max-width:760px;margin:0 auto;padding:12px}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #e5e7eb;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
td,th{padding:3px 6px;border-bottom:1px solid #f3f4f6;text-align:left;overflow-wrap:anywhere}
th{overflow-wrap:normal}td.n{white-space:nowrap}
@media (max-width:480px){table{font-size:13px}td,th{padding:3px 3px}}
a{color:#1d4ed8}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#6b7280;font-style:italic}.bad{color:#b91c1c;font-weight:600}
.quiet{background:#fef3c7;padding:6px 10px;border-radius:4px}
pre{background:#f3f4f6;padding:6px;overflow-x:auto;font-size:13px}
svg.chart{max-width:100%;height:auto}
@media print{body{max-width:none}h2{break-after:avoid}svg.chart{break-inside:avoid}}
""".strip()


def _cell(value: Any) -> str:
    # A (text, link) pair is a link into Fava; a link of None is plain text.
    if isinstance(value, tuple):
        text, href = value
        return f'<a href="{escape(href)}">{escape(str(text))}</a>' if href else escape(str(text))
    return escape(str(value))


def _html_table(head: list[str], rows: list[list[Any]], numeric: set[int]) -> str:
    def cells(tag: str, values: list[Any]) -> str:
        return "".join(
            f"<{tag}{' class=n' if i in numeric else ''}>{_cell(v)}</{tag}>"
            for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
    return f"<table><thead><tr>{cells('th', head)}</tr></thead><tbody>{body}</tbody></table>"


def _section_html(key: str, s: dict[str, Any]) -> str:
    parts = [f'<section id="{key}"><h2>{escape(s["title"])}</h2>']
    only_note = "note" in s and len(s) == 2
    if only_note:
        pass
    elif key == "month":
        parts.append(f"<p>{escape(_month_line(s))}</p>")
    elif key == "net_worth":
        parts.append(f"<p>{escape(_net_worth_line(s))}</p>")
        parts.append(
            svg.daily_bars(
                [(p["date"][5:], max(p["total"] or 0, 0)) for p in s["trend"]],
                "Net worth, 12 weeks (a negative week shows no bar)",
            )
        )
        if s.get("trend_note"):
            parts.append(f'<p class="note">{escape(s["trend_note"])}</p>')
    elif key == "subscriptions":
        parts.append(_html_table(*_subscriptions_table(s), {1}))
    elif key == "bills":
        parts.append(_html_table(*_bills_table(s), {1, 2, 4}))
    elif key == "spending":
        parts.append(
            f"<p>Spent <b>{_m(s['total'])}</b> in {s['count']} debits "
            f"(4-week average {_m(s['average_total'])}).</p>"
        )
        parts.append(
            svg.category_bars(
                [(c["category"], c["amount"], c["average"]) for c in s["categories"]],
                "Spending by category",
            )
        )
        parts.append(
            svg.daily_bars(
                [(_weekday(d["date"]), d["amount"]) for d in s["daily"]], "Spending by day"
            )
        )
        if s["average_note"]:
            parts.append(f'<p class="note">{escape(s["average_note"])}</p>')
        parts.append(
            "<h3>Top merchants</h3>"
            + _html_table(
                ["Merchant", "Amount", "Debits"],
                [
                    [(m["merchant"], m.get("link")), _m(m["amount"]), str(m["count"])]
                    for m in s["merchants"]
                ],
                {1, 2},
            )
        )
        parts.append(
            "<h3>Largest</h3>"
            + _html_table(
                ["Date", "Amount", "Payee", "Category"],
                [
                    [
                        t["date"],
                        _m(t["amount"]),
                        (t["payee"] or "", t.get("link")),
                        t["category"] or "",
                    ]
                    for t in s["largest"]
                ],
                {1},
            )
        )
    elif key == "income":
        parts.append(
            f"<p>Came in: <b>{_m(s['total'])}</b></p>"
            + _html_table(
                ["Category", "Amount"],
                [[c["category"], _m(c["amount"])] for c in s["categories"]],
                {1},
            )
        )
    elif key == "transfers":
        parts.append(
            f"<p>{s['count']} transfers: out {_m(s['out'])}, in {_m(s['in'])} "
            "(not counted as spending or income).</p>"
        )
    elif key == "uncategorized":
        for t in s["transactions"]:
            parts.append(
                f"<p>{escape(t['date'])} {escape(t['direction'])} {_m(t['amount'])} "
                f"{escape(t['payee'] or '(no counterparty)')} "
                f"({escape(t['account'])})</p><pre>{escape(t['rule'])}</pre>"
            )
    elif key == "gaps":
        parts.append(
            "<ul>"
            + "".join(f"<li>{escape(_gap_text(g))}</li>" for g in s.get("gaps", ()))
            + "".join(f"<li>{escape(t['text'])}</li>" for t in s.get("not_on_statement", ()))
            + "</ul>"
        )
    elif key == "budgets":
        parts.append(
            _html_table(BUDGET_HEAD, [_budget_cells(b) for b in s["budgets"]], {1, 2, 3, 4})
        )
    elif key == "balances":
        if s["accounts"]:
            parts.append(_html_table(*_accounts_table(s), {1}))
        if s["cards"]:
            parts.append("<h3>Credit cards</h3>" + _html_table(*_cards_table(s), {1, 2}))
        if s.get("cards_note"):
            parts.append(f'<p class="note">{escape(s["cards_note"])}</p>')
    elif key == "portfolio":
        if "start_value" in s:
            parts.append(
                f"<p>Value {_m(s['start_value'])} ({s['start_at']}) → "
                f"{_m(s['end_value'])} ({s['end_at']}): P&amp;L "
                f"<b>{_m(s['pnl'])}</b></p>"
            )
            parts.append(
                _html_table(
                    ["Symbol", "Change %", "Value change"],
                    [
                        [m["symbol"], f"{m['change_pct']:+.2f}", _m(m["value_change"])]
                        for m in s["movers"]
                    ],
                    {1, 2},
                )
            )
        else:
            parts.append(f"<p>Value {_m(s['end_value'])} ({s['end_at']}).</p>")
    elif key == "books":
        parts.append(
            "<ul>"
            + "".join(
                f'<li><span class="{"" if c["passed"] else "bad"}">'
                f"{'ok' if c['passed'] else 'FAILED'}</span> <code>{escape(c['check'])}</code>: "
                f"{escape(c['description'])}</li>"
                for c in s["checks"]
            )
            + "</ul>"
        )
    elif key == "health":
        runs = s["failed_runs"]
        ticks = s["skipped_ticks"]
        items = [f"failed runs: {len(runs)}"]
        items += [f"{r['at']} {r['job']} ({r['run_id']})" for r in runs]
        items.append(f"skipped schedule ticks: {'not known' if ticks is None else ticks}")
        items.append(f"unrecognized bank SMS: {s['unrecognized_messages']}")
        items.append(f"stale feeds: {len(s['stale_feeds'])}")
        items += [f"{f['check']} failed {f['failures']} time(s)" for f in s["stale_feeds"]]
        parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
    elif key == "power":
        parts.append(
            svg.charge_timeline(
                [(p[0], p[1], p[2]) for p in s["timeline"]], "Charge over the week (%)"
            )
        )
        parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in _power_lines(s)) + "</ul>")
    else:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{escape(k)}: {escape(str(v))}</li>"
                for k, v in s.items()
                if k not in ("title", "note")
            )
            + "</ul>"
        )
    if "note" in s:
        parts.append(f'<p class="note">{escape(s["note"])}</p>')
    parts.append("</section>")
    return "".join(parts)


def render_html(review: dict[str, Any]) -> str:
    """One self-contained page: inline CSS and SVG, no script, no network."""
    title = f"Week {review['week']}: {review['from']} to {review['to']}"
    quiet = "".join(
        f'<p class="quiet">no bank SMS from {escape(q["text"])}: the source was quiet</p>'
        for q in review["coverage"]["quiet"]
    )
    body = "\n".join(_section_html(key, review[key]) for key in SECTION_ORDER)
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n"
        f"<body><h1>{escape(title)}</h1>{quiet}\n{body}\n</body></html>\n"
    )
