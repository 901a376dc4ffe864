"""Readers of the power state: macOS `pmset -g batt`, Linux sysfs, `upower`, battery health.

Plain functions over text and folders. Output a reader does not understand is never guessed:
the sample keeps it raw in `unparsed` and its `state` is "unknown" (a check reports it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SOURCES = ("ac", "battery", "ups")  # "unknown" only beside `unparsed`
STATES = ("charging", "discharging", "charged", "unknown")
NO_BATTERY = "no battery"


class PowerReadError(RuntimeError):
    """Nothing could be read at all (no command, no folder); the message says what and the fix."""


@dataclass(frozen=True)
class Sample:
    """One reading of the power state (one JSON line in the sample log)."""

    at: str  # ISO 8601, UTC
    source: str  # "ac", "battery" or "ups": what the machine runs on
    charge_percent: float | None
    state: str  # one of STATES
    minutes_remaining: int | None
    device: str | None  # the battery/UPS read, e.g. "InternalBattery-0", "BAT0+BAT1"
    note: str | None = None  # "no battery" on a machine without one
    unparsed: str | None = None  # reader output not understood, kept raw

    def to_json(self) -> dict[str, Any]:
        """The sample as a JSON object; `note`/`unparsed` only when set."""
        data = asdict(self)
        for key in ("note", "unparsed"):
            if data[key] is None:
                del data[key]
        return data


def iso_utc(moment: dt.datetime) -> str:
    """`moment` as ISO 8601 UTC, seconds precision ("2026-06-30T18:29:00+00:00")."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------- macOS pmset

_PMSET_SOURCE = re.compile(r"^Now drawing from '(?P<name>[^']+)'\s*$")
_PMSET_LINE = re.compile(
    r"^\s*-(?P<device>.+?)\s+\(id=\d+\)\s*\t?\s*(?P<percent>\d{1,3})%;\s*(?P<rest>.*)$"
)
_PMSET_SOURCES = {"AC Power": "ac", "Battery Power": "battery", "UPS Power": "ups"}
_PMSET_STATES = {
    "charging": "charging",
    "finishing charge": "charging",
    "discharging": "discharging",
    "charged": "charged",
    # Held by the charge limit on AC: the battery neither gains nor loses.
    "ac attached": "charged",
}
_REMAINING = re.compile(r"(?P<h>\d+):(?P<m>\d{2}) remaining")


def parse_pmset(text: str, at: dt.datetime) -> Sample:
    """A sample from `pmset -g batt` output. AC vs battery comes from line 1 only.

    With several sources listed (internal battery and UPS), the one the machine draws from is
    reported: the UPS line when drawing from 'UPS Power', else the internal battery.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    first = _PMSET_SOURCE.match(lines[0]) if lines else None
    source = _PMSET_SOURCES.get(first.group("name")) if first else None
    if source is None:
        return _unparsed(at, text)
    if len(lines) == 1:
        return Sample(iso_utc(at), source, None, "unknown", None, None, note=NO_BATTERY)
    rows = []
    for line in lines[1:]:
        match = _PMSET_LINE.match(line)
        if match is None:
            return _unparsed(at, text, source)
        rows.append(match)
    chosen = rows[0]
    if source == "ups":
        ups = [r for r in rows if "internalbattery" not in r.group("device").lower()]
        chosen = ups[0] if ups else chosen
    else:
        internal = [r for r in rows if "internalbattery" in r.group("device").lower()]
        chosen = internal[0] if internal else chosen
    rest = chosen.group("rest")
    words = rest.split(";")[0].strip().lower()
    state = _PMSET_STATES.get(words)
    if state is None:
        return _unparsed(at, text, source)
    remaining = _REMAINING.search(rest)
    minutes = int(remaining.group("h")) * 60 + int(remaining.group("m")) if remaining else None
    if state != "discharging":
        # "charged; 0:00 remaining" and "charging; 1:13 remaining" are time to full, not to empty.
        minutes = None
    return Sample(
        iso_utc(at),
        source,
        float(chosen.group("percent")),
        state,
        minutes,
        chosen.group("device").strip(),
    )


def _unparsed(at: dt.datetime, text: str, source: str | None = None) -> Sample:
    """Output not understood: kept raw. The source is kept only when line 1 was understood, so
    an unknown shape never reads as AC (it is "unknown")."""
    return Sample(
        iso_utc(at), source or "unknown", None, "unknown", None, None, unparsed=text[:2000]
    )


# ---------------------------------------------------------------- Linux sysfs

_SYSFS_STATES = {
    "charging": "charging",
    "discharging": "discharging",
    "full": "charged",
    "not charging": "charged",
    "unknown": "unknown",
}


def _read(folder: Path, name: str) -> str | None:
    try:
        return (folder / name).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _number(folder: Path, name: str) -> float | None:
    text = _read(folder, name)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def read_sysfs(root: Path, at: dt.datetime) -> Sample:
    """A sample from a `/sys/class/power_supply`-shaped folder.

    Batteries and UPSes are combined by energy (`energy_*`, µWh) or charge (`charge_*`, µAh),
    falling back to the mean of `capacity`. On battery when a Mains adapter exists and none is
    online, or, without one, when a battery discharges. Raises PowerReadError when `root` is not
    a folder; a folder without a battery is "no battery", not an error.
    """
    if not root.is_dir():
        raise PowerReadError(
            f"{root} is not a folder: set `[power] sysfs_root` (default /sys/class/power_supply) "
            'or `[power] source = "none"`'
        )
    batteries: list[tuple[str, Path, str]] = []
    mains_online: list[bool] = []
    for entry in sorted(root.iterdir()):
        kind = (_read(entry, "type") or "").lower()
        if kind in ("battery", "ups"):
            if _read(entry, "present") == "0":
                continue  # an empty second battery bay
            batteries.append((entry.name, entry, kind))
        elif kind in ("mains", "usb"):
            online = _read(entry, "online")
            if online is not None:
                mains_online.append(online == "1")
    if not batteries:
        return Sample(iso_utc(at), "ac", None, "unknown", None, None, note=NO_BATTERY)
    states = []
    for _name, folder, _kind in batteries:
        status = (_read(folder, "status") or "unknown").lower()
        states.append(_SYSFS_STATES.get(status))
    if any(s is None for s in states):
        raw = "; ".join(f"{n}: status={_read(f, 'status')!r}" for n, f, _ in batteries)
        return Sample(iso_utc(at), "unknown", None, "unknown", None, None, unparsed=raw)
    discharging = "discharging" in states
    on_battery = not any(mains_online) if mains_online else discharging
    kinds = {kind for _n, _f, kind in batteries}
    source = "ac" if not on_battery else ("ups" if kinds == {"ups"} else "battery")
    if discharging:
        state = "discharging"
    elif "charging" in states:
        state = "charging"
    elif all(s == "charged" for s in states):
        state = "charged"
    else:
        state = "unknown"
    charge, minutes = _combined_charge([f for _n, f, _k in batteries], discharging)
    device = "+".join(n for n, _f, _k in batteries)
    return Sample(iso_utc(at), source, charge, state, minutes, device)


def _combined_charge(folders: list[Path], discharging: bool) -> tuple[float | None, int | None]:
    for unit, rate in (("energy", "power_now"), ("charge", "current_now")):
        now = [_number(f, f"{unit}_now") for f in folders]
        full = [_number(f, f"{unit}_full") for f in folders]
        if all(v is not None for v in now) and all(v for v in full):
            total_now = sum(v for v in now if v is not None)
            total_full = sum(v for v in full if v is not None)
            percent = round(min(100.0, 100.0 * total_now / total_full), 1)
            rates = [_number(f, rate) for f in folders]
            minutes = None
            draw = sum(abs(r) for r in rates if r)
            if discharging and draw > 0:
                minutes = int(60 * total_now / draw)
            return percent, minutes
    capacities = [_number(f, "capacity") for f in folders]
    known = [c for c in capacities if c is not None]
    if known:
        return round(sum(known) / len(known), 1), None
    return None, None


def sysfs_health(root: Path) -> dict[str, Any] | None:
    """Health of the first battery under `root`: cycle count and maximum capacity (full vs
    design, %); None without a battery. Linux has no "condition": it stays null."""
    if not root.is_dir():
        return None
    for entry in sorted(root.iterdir()):
        if (_read(entry, "type") or "").lower() != "battery":
            continue
        cycles = _number(entry, "cycle_count")
        maximum = None
        for unit in ("energy", "charge"):
            full, design = _number(entry, f"{unit}_full"), _number(entry, f"{unit}_full_design")
            if full and design:
                maximum = round(100.0 * full / design, 1)
                break
        return {
            "device": entry.name,
            "cycle_count": int(cycles) if cycles else None,
            "condition": None,
            "maximum_capacity_percent": maximum,
        }
    return None


# ---------------------------------------------------------------- upower

_UPOWER_STATES = {
    "charging": "charging",
    "discharging": "discharging",
    "fully-charged": "charged",
    "pending-charge": "charged",
    "pending-discharge": "discharging",
    "empty": "discharging",
    "unknown": "unknown",
}
_UPOWER_TIME = re.compile(r"^(?P<n>[\d.,]+)\s+(?P<unit>seconds|minutes|hours|days)$")


def parse_upower(text: str, at: dt.datetime) -> Sample:
    """A sample from `upower --dump`: the daemon's `on-battery` decides the source; the first
    battery (or UPS) device gives charge, state and time to empty."""
    blocks: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if line.startswith(("Device:", "Daemon:")):
            blocks.append((line.split(":", 1)[1].strip() or "daemon", {}))
        elif ":" in line and blocks:
            key, value = line.split(":", 1)
            blocks[-1][1].setdefault(key.strip(), value.strip())
    daemon = next((b for name, b in blocks if name == "daemon"), None)
    if daemon is None or daemon.get("on-battery") not in ("yes", "no"):
        return Sample(iso_utc(at), "unknown", None, "unknown", None, None, unparsed=text[:2000])
    on_battery = daemon["on-battery"] == "yes"
    device = next(((name, b) for name, b in blocks if "battery_" in name or "ups_" in name), None)
    if device is None:
        return Sample(iso_utc(at), "ac", None, "unknown", None, None, note=NO_BATTERY)
    name, fields = device
    kind = "ups" if "ups_" in name else "battery"
    state = _UPOWER_STATES.get(fields.get("state", ""))
    percent = fields.get("percentage", "").rstrip("%").replace(",", ".")
    if state is None or not re.fullmatch(r"\d+(\.\d+)?", percent):
        return Sample(iso_utc(at), "unknown", None, "unknown", None, None, unparsed=text[:2000])
    minutes = None
    match = _UPOWER_TIME.match(fields.get("time to empty", ""))
    if match and state == "discharging":
        scale = {"seconds": 1 / 60, "minutes": 1, "hours": 60, "days": 1440}[match.group("unit")]
        minutes = int(float(match.group("n").replace(",", ".")) * scale)
    return Sample(
        iso_utc(at),
        kind if on_battery else "ac",
        float(percent),
        state,
        minutes,
        fields.get("native-path") or name.rsplit("/", 1)[-1],
    )


# ---------------------------------------------------------------- macOS health


def parse_system_profiler(text: str) -> dict[str, Any] | None:
    """Health from `system_profiler SPPowerDataType -json`: cycle count, condition ("Normal",
    "Service Recommended"), maximum capacity (%). None on a Mac without a battery; ValueError
    on text that is not that JSON."""
    try:
        data = json.loads(text)
        items = data["SPPowerDataType"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not system_profiler SPPowerDataType JSON: {exc}") from None
    for item in items:
        info = item.get("sppower_battery_health_info") if isinstance(item, dict) else None
        if not isinstance(info, dict):
            continue
        maximum = info.get("sppower_battery_health_maximum_capacity")
        percent = None
        if isinstance(maximum, str) and re.fullmatch(r"\d+(\.\d+)?%", maximum.strip()):
            percent = float(maximum.strip().rstrip("%"))
        cycles = info.get("sppower_battery_cycle_count")
        return {
            "device": "InternalBattery-0",
            "cycle_count": cycles if isinstance(cycles, int) else None,
            "condition": info.get("sppower_battery_health"),
            "maximum_capacity_percent": percent,
        }
    return None
