"""Writing the generated folder: atomic, only when bytes change, stale months removed.

Layout under `<books_dir>/generated/`:
  index.beancount      includes accounts.beancount and every monthly file (always written, so
                       main.beancount's one include never points at nothing)
  accounts.beancount   `open` directives for accounts the generated entries use
  fava.beancount       what Fava reads from homeclerk: the `[[budgets]]` as `custom "budget"`
                       and the Categorize extension
  fava-import.beancount  Fava's Import page options (books/fava_import.py), with an inbox
  bank/YYYY-MM.beancount, prices/YYYY-MM.beancount
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from beancount.core import data

from assets.books.budgets import render_fava
from assets.books.entries import group_by_month
from assets.books.render import render_file, render_includes
from assets.common.atomic import write_text_atomic

GENERATED = "generated"
FAVA_OPTIONS = "fava-import.beancount"  # Fava's import options, written by books/fava_import.py
INDEX = "index.beancount"
ACCOUNTS = "accounts.beancount"
FAVA = "fava.beancount"
BANK = "bank"
PRICES = "prices"


class WriteReport(NamedTuple):
    """Which generated files a write changed, left alone, or removed."""

    written: tuple[str, ...]  # paths relative to the generated folder
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def generated_dir(books_dir: Path) -> Path:
    """The folder of generated files inside `books_dir`."""
    return Path(books_dir) / GENERATED


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` atomically unless the file holds it already; True if written. Unchanged
    files keep their mtime, so Fava and the loader cache see no change."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    write_text_atomic(path, text)
    return True


def write_monthly(
    books_dir: Path, subdir: str, what: str, entries: Sequence[data.Directive]
) -> WriteReport:
    """Replace `generated/<subdir>/` with one file per month of `entries` (already sorted)."""
    gen = generated_dir(books_dir)
    folder = gen / subdir
    months = group_by_month(entries)
    texts = {f"{month}.beancount": render_file(what, items) for month, items in months.items()}
    written, unchanged, removed = [], [], []
    for name in sorted(texts):
        rel = f"{subdir}/{name}"
        (written if write_if_changed(folder / name, texts[name]) else unchanged).append(rel)
    if folder.exists():
        for stale in sorted(folder.glob("*.beancount")):
            if stale.name not in texts:
                stale.unlink()
                removed.append(f"{subdir}/{stale.name}")
    write_index(books_dir)
    return WriteReport(tuple(written), tuple(unchanged), tuple(removed))


def write_accounts(books_dir: Path, opens: Sequence[data.Open]) -> bool:
    """Write the generated accounts file and the index; True if the file changed."""
    path = generated_dir(books_dir) / ACCOUNTS
    changed = write_if_changed(path, render_file("accounts the generated entries use", opens))
    write_index(books_dir)
    return changed


DOCUMENTS = "documents"  # `option "documents" "documents"`: imported statements, per account


def write_fava(books_dir: Path, text: str) -> bool:
    """Write the generated file for Fava (budgets) and the index; True if the file changed."""
    changed = write_if_changed(generated_dir(books_dir) / FAVA, text)
    write_index(books_dir)
    return changed


def ensure_generated(books_dir: Path) -> None:
    """Create the empty skeleton main.beancount includes, if it is missing."""
    gen = generated_dir(books_dir)
    if not (gen / ACCOUNTS).exists():
        write_accounts(books_dir, ())
    write_index(books_dir)


def write_index(books_dir: Path) -> bool:
    """Write the include index of every generated file; True if it changed. The documents
    folder main.beancount's `documents` option names is made too (Beancount reports a missing
    one as an error)."""
    (Path(books_dir) / DOCUMENTS).mkdir(parents=True, exist_ok=True)
    gen = generated_dir(books_dir)
    if not (gen / ACCOUNTS).exists():
        write_text_atomic(gen / ACCOUNTS, render_file("accounts the generated entries use", ()))
    if not (gen / FAVA).exists():
        write_text_atomic(gen / FAVA, render_fava(()))
    paths = [ACCOUNTS, FAVA]
    if (gen / FAVA_OPTIONS).exists():
        paths.append(FAVA_OPTIONS)  # Fava's Import page (books/fava_import.py)
    for subdir in (BANK, PRICES):
        folder = gen / subdir
        if folder.exists():
            paths.extend(f"{subdir}/{p.name}" for p in sorted(folder.glob("*.beancount")))
    return write_if_changed(gen / INDEX, render_includes(paths))
