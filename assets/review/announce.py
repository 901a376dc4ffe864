"""The Sunday message: the week's review in three lines and where to read it.

Built from what the `weekly_review` asset writes (`feeds/review.json` and the HTML it names),
by this one function: when the review's content or where it is served changes, this changes.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from assets.books.gaps import rupees
from assets.notify.incidents import Problem

from .produce import SUMMARY_FEED

# A review whose week ended longer ago than this is not news (a first start on an old data
# folder must not announce a months-old week).
NEWS_FOR = dt.timedelta(days=8)


def review_announcement(
    feeds_dir: Path, reviews_dir: Path, now: dt.datetime, served_url: str | None = None
) -> dict[str, Problem]:
    """`review:<week>` → the message for the newest review, while it is news; {} otherwise.

    The link is the feed server's page for the week (`served_url`, `/reviews/` on
    `[service] feeds_port`) when it serves them, else the file on this machine."""
    try:
        summary = json.loads((Path(feeds_dir) / SUMMARY_FEED).read_text(encoding="utf-8"))
        week, ended = str(summary["week"]), dt.date.fromisoformat(str(summary["to"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return {}
    if now.date() - ended > NEWS_FOR:
        return {}
    lines = []
    for label, key in (("Spent", "spending"), ("Income", "income")):
        if summary.get(key) is not None:
            lines.append(f"{label}: {rupees(Decimal(str(summary[key])))}")
    if summary.get("uncategorized"):
        lines.append(f"{summary['uncategorized']} transaction(s) to categorize")
    if summary.get("failed_runs"):
        lines.append(f"{summary['failed_runs']} failed run(s) this week")
    if summary.get("note"):
        lines.append(str(summary["note"]))
    html = (summary.get("files") or {}).get("html") or f"{week}.html"
    path = Path(reviews_dir) / html
    link = f"{served_url}{path.name}" if served_url else path.resolve().as_uri()
    lines.append(f"Read it: {link if served_url else path}")
    return {
        f"review:{week}": Problem(
            f"Weekly review {week} ({summary.get('from')} to {summary['to']})",
            "\n".join(lines),
            link=link,
        )
    }
