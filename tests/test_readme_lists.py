"""The README's lists of assets and checks are the definitions' own (they cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.definitions import asset_names, build_definitions
from pipeline.settings import load_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _bullet(start: str) -> str:
    """The README bullet that starts with the pattern `start`, on one line."""
    text = README.read_text("utf-8")
    found = re.search(start, text)
    assert found, start
    begin = found.start()
    end = text.index("\n- ", begin)
    return " ".join(text[begin:end].split())


def test_the_catalog_bullet_lists_every_asset_in_order() -> None:
    names = asset_names(build_definitions(load_settings(None)))
    bullet = _bullet(r"- \*Catalog\* lists the")
    assert bullet.startswith(f"- *Catalog* lists the {len(names)} assets (")
    listed = bullet.split("(", 1)[1].split(")", 1)[0]
    assert re.findall(r"`([a-z_]+)`", listed) == names


def test_the_checks_bullet_lists_every_check_under_its_asset() -> None:
    graph = build_definitions(load_settings(None)).resolve_asset_graph()
    wanted = {(k.name, k.asset_key.to_user_string()) for k in graph.asset_check_keys}
    bullet = _bullet(r"- The \d+ checks: ")
    assert bullet.startswith(f"- The {len(wanted)} checks: ")
    listed = set()
    # "`a`, `b` and `c` (asset)": each group of check names, then its asset in brackets.
    for group, asset in re.findall(r"((?:`[a-z_]+`(?:, | and )?)+) \(([a-z_]+)\)", bullet):
        listed |= {(name, asset) for name in re.findall(r"`([a-z_]+)`", group)}
    assert listed == wanted
