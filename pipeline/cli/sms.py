"""`homeclerk sms …`: parse, dump, list what the parser missed, teach it or set it aside,
confirm amounts."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import (
    again,
    count,
    read_warehouse,
    settings_for,
)
from pipeline.commands import command_for
from pipeline.settings import (
    Settings,
)


def add_parsers(sub: Any) -> None:
    """`homeclerk sms …`."""
    sms = sub.add_parser("sms", help="bank SMS tools").add_subparsers(title="sms commands")
    parse = sms.add_parser(
        "parse",
        help='JSON lines {"id","sender","body"[,"received_at"]} on stdin → parsed, alerts of one '
        "payment linked",
    )
    parse.set_defaults(handler=_sms_parse)
    dump = sms.add_parser("dump", help="the bank messages a chat.db holds, as JSON lines")
    dump.add_argument("--chat-db", type=Path, required=True)
    dump.add_argument("--since-rowid", type=int, default=0)
    dump.set_defaults(handler=_sms_dump)
    unrecognized = sms.add_parser(
        "unrecognized", help="bank SMS the parser could not read, grouped by shape (masked)"
    )
    unrecognized.add_argument("--json", action="store_true", help="the shapes as one JSON object")
    unrecognized.add_argument("--limit", type=count, default=20, help="shapes to show (20)")
    unrecognized.set_defaults(handler=_sms_unrecognized)
    suggest = sms.add_parser(
        "suggest", help="propose an [[sms.formats]] entry for one shape, checked on its messages"
    )
    suggest.add_argument("shape_id", nargs="?", help="a shape id from `homeclerk sms unrecognized`")
    suggest.add_argument("--guid", help="the shape of this stored message")
    suggest.add_argument("--body", help="a message's text (with --sender) instead of a stored one")
    suggest.add_argument("--sender", help="the sender of --body, e.g. VM-XYZBNK-S")
    suggest.add_argument(
        "--direction", choices=("debit", "credit"), help="when the wording does not say"
    )
    suggest.set_defaults(handler=_sms_suggest)
    dismiss = sms.add_parser(
        "dismiss",
        help="set aside the unrecognized messages of one shape, once read (a doubtful alert, a "
        "wording no format should read)",
    )
    dismiss.add_argument("shape_id", help="a shape id from `homeclerk sms unrecognized`")
    dismiss.set_defaults(handler=_sms_dismiss)
    confirm = sms.add_parser("confirm", help="count an amount held as implausible (it is real)")
    confirm.add_argument("guid", help="the message GUID the amounts_plausible check names")
    confirm.set_defaults(handler=_sms_confirm)


def _sms_parse(args: argparse.Namespace) -> int:
    from assets.transactions.categories import rules_from_config
    from assets.transactions.parsing import formats_from_config
    from assets.transactions.parsing.jsonl import parse_jsonl
    from assets.transactions.payees import PayeeResolver, aliases_from_config, payee_adder

    # The owner's own [[sms.formats]] and category rules apply here too, so a new format or
    # rule can be tried on samples.
    settings = settings_for(args)
    formats = formats_from_config(settings.sms_formats)
    rules = rules_from_config(settings.category_rules)
    # The readable payee beside the raw counterparty, the owner's [[payees]] first.
    with_payee = payee_adder(PayeeResolver(aliases_from_config(settings.payees)))
    # Alerts of one payment among the lines are shown linked, within the owner's window.
    window = settings.link_window_minutes
    for line in parse_jsonl(sys.stdin, formats=formats, rules=rules, window_minutes=window):
        sys.stdout.write(with_payee(line) + "\n")
    return 0


def _sms_dump(args: argparse.Namespace) -> int:
    from assets.sms.chatdb import ChatDbUnreadableError
    from assets.sms.dump import dump_jsonl

    settings = settings_for(args)
    chat_db = args.chat_db.expanduser()
    if not chat_db.exists():
        print(
            f"homeclerk: --chat-db {chat_db} does not exist: give the path of a Messages "
            "database (on a Mac ~/Library/Messages/chat.db)",
            file=sys.stderr,
        )
        return 1
    try:
        for line in dump_jsonl(chat_db, settings.bank_senders, args.since_rowid):
            sys.stdout.write(line + "\n")
    except ChatDbUnreadableError as exc:
        # The reader's text points at homeclerk.toml; here the path came from the flag.
        text = str(exc).replace("`[messages] chat_db` in homeclerk.toml", "--chat-db")
        print(f"homeclerk: {text}", file=sys.stderr)
        return 1
    return 0


def _sms_unrecognized(args: argparse.Namespace) -> int:
    import json

    from assets.transactions.unrecognized import group_by_shape

    settings = settings_for(args)
    loaded = _load_unrecognized(settings, args)
    if loaded is None:
        return 2
    messages, unreadable = loaded
    groups = group_by_shape(messages)
    shown = [group.summary(settings.tz) for group in groups[: args.limit]]
    if args.json:
        document = {
            "unrecognized": len(messages) + unreadable,
            "shapes": len(groups),
            "without_body": unreadable,
            "groups": shown,
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    if not groups:
        print("no unrecognized bank SMS with a readable body in the warehouse")
    else:
        print(
            f"{len(messages)} unrecognized bank SMS in {len(groups)} shape(s), most frequent "
            f"first (masked: account tails, references and codes as #):"
        )
    for item in shown:
        first, last = str(item["first_seen"])[:10], str(item["last_seen"])[:10]
        print(
            f"\n{item['shape_id']}  {item['sender']}  {item['count']} message(s), {first} → {last}"
        )
        print("  example: " + str(item["example"]).replace("\n", "\n           "))
        if item["doubtful"]:
            print(
                f"  doubtful ({item['doubtful']}): no format may read it; once read, set it "
                f"aside: {again(args, 'sms', 'dismiss', str(item['shape_id']))}"
            )
    if len(groups) > len(shown):
        print(f"\n… and {len(groups) - len(shown)} more shape(s): --limit {len(groups)} shows all")
    if unreadable:
        print(f"\n{unreadable} unrecognized message(s) have no readable body (see `doctor`)")
    teachable = [item for item in shown if not item["doubtful"]]
    if teachable:
        first = str(teachable[0]["shape_id"])
        print(f"\nTeach the parser a shape: {again(args, 'sms', 'suggest', first)}")
        print(f"or, once read, set it aside: {again(args, 'sms', 'dismiss', first)}")
    return 0


def _sms_dismiss(args: argparse.Namespace) -> int:
    from assets.common.clock import now_utc
    from assets.common.warehouse import connect
    from assets.transactions.dismissed import dismiss

    settings = settings_for(args)
    loaded = _load_unrecognized(settings, args)
    if loaded is None:
        return 2
    of_shape = _of_shape(args, loaded[0], args.shape_id)
    if of_shape is None:
        return 1
    shape, found = of_shape

    def set_aside(path: Path) -> int:
        with connect(path) as con:
            return dismiss(con, [m.guid for m in found], shape.shape_id, now_utc())

    if read_warehouse(settings, args, set_aside) is None:
        return 2
    print(
        f"set aside {len(found)} message(s) of shape {shape.shape_id} from {shape.header}: they "
        "leave `sms unrecognized` and `doctor` now, the parse_coverage check at the next run. A "
        "new message of this shape is shown again. Money they moved is not in the books: keep "
        "an entry in your ledger files if it did."
    )
    return 0


def _sms_confirm(args: argparse.Namespace) -> int:
    import time

    from assets.common.clock import now_utc
    from assets.common.warehouse import WarehouseLockedError, connect
    from assets.transactions.plausible import ConfirmError, confirm

    settings = settings_for(args)
    path = settings.warehouse
    if not path.exists():
        print(f"homeclerk: no warehouse at {path}: nothing is held", file=sys.stderr)
        return 1
    deadline = time.monotonic() + 30.0  # a run holds the warehouse for seconds at a time
    while True:
        try:
            with connect(path) as con:
                held = confirm(con, args.guid, now_utc())
            break
        except (ConfirmError, FileNotFoundError) as exc:
            print(f"homeclerk: {exc}", file=sys.stderr)
            return 1
        except WarehouseLockedError:
            if time.monotonic() >= deadline:
                print(f"homeclerk: the warehouse {path} is busy: try again", file=sys.stderr)
                return 2
            time.sleep(0.5)
    again = command_for(settings.config_file)
    print(
        f"confirmed {held.message_guid}: {held.amount:,} {held.currency} counts in the expenses "
        f"feed and the books from the next run (the next bank SMS, or now: {again} materialize "
        "'transactions+')"
    )
    return 0


def _load_unrecognized(settings: Settings, args: argparse.Namespace) -> Any:
    """(messages, unreadable) from the warehouse, or None after saying in one line why not."""
    from assets.transactions.unrecognized import load_unrecognized

    return read_warehouse(settings, args, load_unrecognized)


def _sms_suggest(args: argparse.Namespace) -> int:
    from assets.transactions.unrecognized import StoredMessage, messages_of_shape, shape_of

    settings = settings_for(args)
    if args.body is not None or args.sender is not None:
        if not (args.body and args.sender):
            print("homeclerk: --body and --sender go together", file=sys.stderr)
            return 2
        given = StoredMessage("(given)", args.sender, args.body, dt.datetime.min)
        shape = shape_of(given.sender, given.body)
        found = [given]
        if settings.warehouse.exists():
            # Stored messages of the same shape are checked too, when the warehouse can be read.
            loaded = _load_unrecognized(settings, args)
            stored = messages_of_shape(loaded[0], shape.shape_id) if loaded else None
            found += stored[1] if stored else []
    elif bool(args.shape_id) == bool(args.guid):
        print(
            "homeclerk: give a shape id (from `homeclerk sms unrecognized`), or --guid G, or "
            "--body TEXT --sender S",
            file=sys.stderr,
        )
        return 2
    else:
        loaded = _load_unrecognized(settings, args)
        if loaded is None:
            return 2
        messages = loaded[0]
        shape_id = args.shape_id
        if args.guid:
            match = [m for m in messages if m.guid == args.guid]
            if not match:
                print(
                    f"homeclerk: no unrecognized message has GUID {args.guid}: see "
                    f"`{again(args, 'sms', 'unrecognized')}`",
                    file=sys.stderr,
                )
                return 1
            shape_id = shape_of(match[0].sender, match[0].body).shape_id
        of_shape = _of_shape(args, messages, shape_id)
        if of_shape is None:
            return 1
        shape, found = of_shape
    return _print_suggestion(shape, found, args.direction, settings)


def _of_shape(args: argparse.Namespace, messages: list[Any], shape_id: str) -> Any:
    """(shape, its messages) among the unrecognized ones, or None after saying there is none."""
    from assets.transactions.unrecognized import messages_of_shape

    of_shape = messages_of_shape(messages, shape_id)
    if of_shape is None:
        print(
            f"homeclerk: no unrecognized message has shape {shape_id}: "
            f"`{again(args, 'sms', 'unrecognized')}` lists the shapes there are",
            file=sys.stderr,
        )
    return of_shape


def _print_suggestion(shape: Any, found: list[Any], direction: str | None, settings: Any) -> int:
    import json

    from assets.common.warehouse import WarehouseLockedError
    from assets.transactions.parsing import FormatConfigError
    from assets.transactions.suggest import (
        changed_readings,
        check,
        masked_fields,
        propose,
        reading_ok,
        to_toml,
    )
    from assets.transactions.unrecognized import load_read_messages

    newest = found[-1] if found[0].guid != "(given)" else found[0]
    print(f"shape {shape.shape_id} from {shape.header}, {len(found)} message(s):")
    suggestion = propose(shape, newest.body, newest.sender, direction)
    for note in suggestion.notes:
        print(f"note: {note}")
    if suggestion.entry is None:
        for problem in suggestion.problems:
            print(f"no safe format can be proposed: {problem}")
        return 1
    try:
        readings = check(suggestion.entry, [(m.guid, m.sender, m.body) for m in found])
    except FormatConfigError as exc:  # pragma: no cover - propose builds valid entries
        print(f"homeclerk: the proposal is not a valid format: {exc}", file=sys.stderr)
        return 1
    good = sum(reading_ok(r) for r in readings)
    print(f"\nWhat the proposed format reads (masked): {good} of {len(readings)} message(s)")
    for reading in readings:
        mark = "ok " if reading_ok(reading) else "NO "
        print(f"{mark} {reading.example}".replace("\n", " / "))
        print(f"    → {json.dumps(masked_fields(reading), ensure_ascii=False)}")
    if settings.warehouse.exists():
        # Owner formats run first for their sender: one that would change a message the parser
        # reads today must be seen before it is pasted.
        try:
            read = load_read_messages(settings.warehouse, shape.header)
        except WarehouseLockedError:
            print("\n(the warehouse became busy: messages read today were not compared)")
        else:
            changed = changed_readings(suggestion.entry, read)
            print(
                f"\nOf the {len(read)} message(s) from {shape.header} the parser reads today, "
                f"{changed} would be read differently with this format"
                + (": narrow the pattern before pasting" if changed else ".")
            )
    existing = list(settings.sms_formats)
    print(
        "\nPaste into homeclerk.toml"
        + (f" (after your {len(existing)} other [[sms.formats]])" if existing else "")
        + "; the next run reads these messages again:\n"
    )
    print(to_toml(suggestion.entry))
    if good < len(readings):
        print(
            f"Not every message was read ({len(readings) - good} not): check the lines marked "
            "NO before pasting."
        )
        return 1
    return 0
