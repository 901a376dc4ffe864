"""Writing a review: its Markdown and HTML under `reviews/`, and the dashboard summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from assets.common.atomic import write_text_atomic

from .compose import ReviewInputs, build_review, summary
from .render import render_html, render_markdown

SUMMARY_FEED = "review.json"


class Written(NamedTuple):
    """One week's review as written: its data, Markdown and files."""

    review: dict[str, Any]
    markdown: str
    markdown_path: Path
    html_path: Path


def write_review(inputs: ReviewInputs, folder: Path, mode: int | None = None) -> Written:
    """Compose, render and write `<week>.md` and `<week>.html` in `folder` (atomically)."""
    review = build_review(inputs)
    markdown = render_markdown(review)
    md_path = Path(folder) / f"{review['week']}.md"
    html_path = Path(folder) / f"{review['week']}.html"
    write_text_atomic(md_path, markdown, mode=mode)
    write_text_atomic(html_path, render_html(review), mode=mode)
    return Written(review, markdown, md_path, html_path)


def update_summary(path: Path, review: dict[str, Any], mode: int | None = None) -> bool:
    """Write the review's summary to `path` unless it already holds a later week (a backfill of
    old weeks must not replace this week's summary). True when written."""
    try:
        current = json.loads(Path(path).read_text("utf-8"))
        newer = str(current.get("from", "")) > review["from"]
    except (FileNotFoundError, ValueError, AttributeError):
        newer = False
    if newer:
        return False
    text = json.dumps(summary(review), indent=2, ensure_ascii=False) + "\n"
    write_text_atomic(Path(path), text, mode=mode)
    return True
