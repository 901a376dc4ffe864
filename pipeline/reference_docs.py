"""The docs' reference tables, written from the code so they cannot drift.

    .venv/bin/python -m pipeline.reference_docs          # rewrite the tables in place
    .venv/bin/python -m pipeline.reference_docs --check  # exit 1 and show the diff if stale

Each table sits between `<!-- generated: NAME -->` and `<!-- end generated: NAME -->` in the
README or docs/architecture.md; the text around them is the authors'. The assets, checks, jobs,
schedules and sensors come from the merged Definitions (each domain's own slice for the domain
table), the commands from the argument parser and their descriptions.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from dagster import AssetKey, Definitions

from pipeline.settings import CONFIG_ENV, load_settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
_REGION = re.compile(
    r"(<!-- generated: (?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)",
    re.DOTALL,
)


class MissingDescriptionError(Exception):
    """A command, asset, check, job, schedule or sensor has no description to document."""

    def __init__(self, kind: str, name: str, where: str) -> None:
        super().__init__(f"{kind} {name!r} has no description: add one in {where}")


def _cell(text: str | None) -> str:
    """One table cell: one line, pipes escaped."""
    return " ".join((text or "").split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
    ]
    return "\n".join(lines) + "\n"


def _defs() -> tuple[Definitions, dict[str, Definitions]]:
    """The merged definitions on default settings, and each domain's own slice."""
    # The defaults, whatever ./homeclerk.toml or $HOMECLERK_CONFIG say (importing
    # pipeline.definitions reads them too).
    os.environ.pop(CONFIG_ENV, None)
    os.chdir(ROOT / "docs")
    from pipeline.definitions import DOMAINS, build_definitions, notify_incidents
    from pipeline.resources import build_resources

    settings = load_settings(None)
    resources = build_resources(settings)
    slices = {domain.__name__.split(".")[1]: domain.build_defs(resources) for domain in DOMAINS}
    # Gathered from every domain's sources by the root, it is the notify domain's sensor.
    slices["notify"] = Definitions.merge(
        slices["notify"], Definitions(sensors=[notify_incidents(resources)])
    )
    return build_definitions(settings), slices


def _required(kind: str, name: str, text: str | None, where: str) -> str:
    if not text or not text.strip():
        raise MissingDescriptionError(kind, name, where)
    return text


def assets_table(defs: Definitions, slices: dict[str, Definitions]) -> str:
    """Every asset in the order the domains define them: group, domain and what it is."""
    graph = defs.resolve_asset_graph()
    rows = []
    for domain, piece in slices.items():
        for assets_def in piece.assets or ():
            for key in getattr(assets_def, "keys", ()):
                node = graph.get(key)
                name = key.to_user_string()
                text = _required("asset", name, node.description, f"assets/{domain}")
                rows.append((f"`{name}`", f"`{node.group_name}`", f"`{domain}`", text))
    return _table(("asset", "group", "domain", "what it is"), rows)


def _asset_order(defs: Definitions) -> dict[AssetKey, int]:
    """The assets in the order the domains define them (DOMAINS, then within each domain)."""
    keys = [k for d in defs.assets or () for k in getattr(d, "keys", ())]
    return {key: i for i, key in enumerate(keys)}


def checks_table(defs: Definitions) -> str:
    """Every asset check under its asset, with whether it blocks what runs after it."""
    graph = defs.resolve_asset_graph()
    order = _asset_order(defs)
    rows = []
    for key in sorted(graph.asset_check_keys, key=lambda k: (order[k.asset_key], k.name)):
        spec = graph.get_check_spec(key)
        text = _required("check", key.name, spec.description, "its @asset_check")
        blocks = "yes" if spec.blocking else "no"
        rows.append((f"`{key.name}`", f"`{key.asset_key.to_user_string()}`", blocks, text))
    return _table(("check", "asset", "blocks downstream", "what it checks"), rows)


def jobs_table(defs: Definitions) -> str:
    """Every job with its assets (in dependency order) and what it is for."""
    repo = defs.get_repository_def()
    order = _asset_order(defs)
    rows = []
    for job in sorted(repo.get_all_jobs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue  # Dagster's implicit asset job
        keys = sorted(job.asset_layer.selected_asset_keys, key=order.__getitem__)
        assets = ", ".join(f"`{k.to_user_string()}`" for k in keys) or "—"
        text = _required("job", job.name, job.description, "its define_asset_job")
        rows.append((f"`{job.name}`", assets, text))
    return _table(("job", "assets", "what it is for"), rows)


def schedules_table(defs: Definitions) -> str:
    """Every schedule: when (cron and zone), the job it starts, whether it is on by default."""
    rows = []
    for s in sorted(defs.get_repository_def().schedule_defs, key=lambda s: s.name):
        crons = s.cron_schedule if isinstance(s.cron_schedule, list) else [s.cron_schedule]
        text = _required("schedule", s.name, s.description, "its schedule definition")
        rows.append(
            (
                f"`{s.name}`",
                "; ".join(f"`{c}`" for c in crons),
                s.execution_timezone or "UTC",
                f"`{s.job_name}`",
                s.default_status.value.lower(),
                text,
            )
        )
    return _table(("schedule", "cron", "time zone", "job", "default", "when and why"), rows)


def sensors_table(defs: Definitions) -> str:
    """Every sensor: the jobs it starts, how often it is evaluated, what it looks for."""
    rows = []
    for s in sorted(defs.get_repository_def().sensor_defs, key=lambda s: s.name):
        jobs = ", ".join(f"`{j.name}`" for j in s.jobs) if s.has_jobs else "—"
        text = _required("sensor", s.name, s.description, "its @sensor")
        every = f"{s.minimum_interval_seconds} s" if s.minimum_interval_seconds else "—"
        rows.append((f"`{s.name}`", jobs, every, s.default_status.value.lower(), text))
    return _table(("sensor", "jobs", "every", "default", "what it looks for"), rows)


def _leaves(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers of the commands that run something (not the groups `sms`, `broker`, …)."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield parser
        return
    for group in groups:
        for child in dict.fromkeys(group.choices.values()):  # aliases map to one parser
            yield from _leaves(child)


def _synopsis(parser: argparse.ArgumentParser) -> str:
    """The command's usage on one line, without the options every command takes."""
    formatter = argparse.HelpFormatter(parser.prog, width=10_000)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, "")
    usage = " ".join(formatter.format_help().split())
    return usage.replace(" [-h]", "").replace(" [--config CONFIG]", "")


def commands_table() -> str:
    """Every command the parser has, with its synopsis and its description."""
    from pipeline.cli import build_parser

    rows = []
    for leaf in _leaves(build_parser()):
        text = _required("command", leaf.prog, leaf.description, "pipeline/cli/descriptions.py")
        rows.append((f"`{_synopsis(leaf)}`", text))
    return _table(("command", "what it does"), rows)


def domains_table(defs: Definitions, slices: dict[str, Definitions]) -> str:
    """Each domain's folder and what its slice holds (docs/architecture.md)."""
    all_checks = defs.resolve_asset_graph().asset_check_keys
    rows = []
    for domain, piece in slices.items():
        keys = [k for d in piece.assets or () for k in getattr(d, "keys", ())]
        assets = [k.to_user_string() for k in keys]
        checks = sorted({c.name for c in all_checks if c.asset_key in keys})
        jobs = sorted(j.name for j in piece.jobs or ())
        timed = sorted(s.name for s in piece.schedules or ()) + sorted(
            s.name for s in piece.sensors or ()
        )

        def names(items: list[str]) -> str:
            return ", ".join(f"`{n}`" for n in items) or "—"

        rows.append(
            (
                f"`assets/{domain}/`",
                names(assets),
                names(checks),
                names(jobs),
                names(timed),
            )
        )
    return _table(("domain", "assets", "checks", "jobs", "schedules and sensors"), rows)


def settings_table() -> str:
    """Each domain's section of homeclerk.toml: the keys its reader reads, and where it lives."""
    from assets.common.settings_reader import SettingsReader, SharedPaths
    from assets.common.timezone import DEFAULT_TIMEZONE
    from pipeline.domains import domain_modules

    shared = SharedPaths(Path("."), Path("data"), Path("ledger"), DEFAULT_TIMEZONE)
    rows = []
    for module in domain_modules("settings"):
        reader = SettingsReader({}, "(defaults)", Path("."))
        module.SECTION.read(reader, shared)  # each read names its key: the keys are what it read
        keys = ", ".join(f"`{key}`" for key in sorted(reader.used))
        where = f"`{module.__name__.replace('.', '/')}.py`"
        rows.append((f"`{module.SECTION.name}`", keys, where))
    return _table(("section (`settings.…`)", "keys", "declared in"), rows)


def regions() -> dict[Path, dict[str, Callable[[], str]]]:
    """What is generated where: file → region name → its content."""
    cache: dict[str, tuple[Definitions, dict[str, Definitions]]] = {}

    def defs() -> Definitions:
        if "d" not in cache:
            cache["d"] = _defs()
        return cache["d"][0]

    def slices() -> dict[str, Definitions]:
        defs()
        return cache["d"][1]

    return {
        README: {
            "assets": lambda: assets_table(defs(), slices()),
            "checks": lambda: checks_table(defs()),
            "jobs": lambda: jobs_table(defs()),
            "schedules": lambda: schedules_table(defs()),
            "sensors": lambda: sensors_table(defs()),
            "commands": commands_table,
        },
        ARCHITECTURE: {
            "domains": lambda: domains_table(defs(), slices()),
            "settings": settings_table,
        },
    }


def rendered(path: Path, makers: dict[str, Callable[[], str]]) -> str:
    """`path`'s text with every generated region written anew; a region missing is an error."""
    text = path.read_text("utf-8")
    found = {m.group("name") for m in _REGION.finditer(text)}
    missing = sorted(set(makers) - found)
    if missing:
        raise SystemExit(
            f"{path.name}: no region for {', '.join(missing)}: add "
            f"'<!-- generated: NAME -->' and '<!-- end generated: NAME -->' lines where it goes"
        )

    def fill(match: re.Match[str]) -> str:
        maker = makers.get(match.group("name"))
        body = maker() if maker else match.group("body")
        return match.group(1) + body + match.group(4)

    return _REGION.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated tables, or with `--check` say which files are stale (exit 1)."""
    args = argv if argv is not None else sys.argv[1:]
    check = "--check" in args
    stale = []
    for path, makers in regions().items():
        old = path.read_text("utf-8")
        new = rendered(path, makers)
        if new == old:
            continue
        stale.append(path)
        if check:
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"{path.relative_to(ROOT)} (committed)",
                    f"{path.relative_to(ROOT)} (from the code)",
                )
            )
        else:
            path.write_text(new, "utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if check and stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(f"stale: {names}: run .venv/bin/python -m pipeline.reference_docs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
