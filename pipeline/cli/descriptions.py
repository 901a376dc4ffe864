"""What each command does, in full: its `--help` description and its row in the README's command
table (`python -m pipeline.reference_docs` writes the table from the parser, so they agree)."""

from __future__ import annotations

# Keyed by the command's words after `homeclerk`. A command the parser has and this lacks fails
# the generated-docs test; its short `help=` stays in the parser (the parent's command list).
DESCRIPTIONS: dict[str, str] = {
    "demo": (
        "Build the demo data set in DIR (a Messages database with the real schema, a "
        "`homeclerk.toml`, power history) and materialize every asset, the weekly reviews of its "
        "last 8 weeks and a backup, with the clock pinned at the end of the last day."
    ),
    "ui": (
        "The Dagster UI and daemon on 127.0.0.1 with homeclerk's instance, behind the Host and "
        "cross-site check; one per instance (a second start exits 2: `already running (pid N, "
        "port P)`); SIGTERM stops every child; fails runs whose worker process died."
    ),
    "serve": (
        "The always-on service: one shared code server, the daemon, the UI, Fava and the feed "
        "server (ports from `[service]`), supervised with restarts, rotated logs, a Host and "
        "cross-site check on every server; one per instance (shared lock with `ui`); SIGTERM "
        "stops the whole tree."
    ),
    "doctor": (
        "Every reason the pipeline could be quietly wrong: settings, `.env` mode, files under the "
        "data folder that others can read, broken stores, chat.db access, parse coverage, the "
        "newest gaps in the balance chains (money moved with no alert, with the ledger entry "
        "that explains one), feed age and status, broker session, each asset's last "
        "materialization, failed runs (a run a stop of the service interrupted is named apart: "
        "it is retried), stuck and long-queued runs, every asset check that failed (`FAIL`) or "
        "warned (`WARN`); the service (installed, loaded, running, last exit code), its ports "
        "bound to 127.0.0.1 only, keep-awake, free disk, instance size, each sensor's and "
        "schedule's last tick; the books' `main.beancount`. Each problem once with its fix, "
        "commands with the same `--config` (exit 1 when any); `--json`: the findings as a list "
        "of `{check, ok, detail, fix, warning}`."
    ),
    "materialize": (
        "Materialize assets from a shell on homeclerk's instance (Dagster's selection syntax: "
        "`sms_messages+`, `*expenses_feed`, `key:books`); waits while a run holds the `warehouse` "
        "pool instead of failing; prints progress and the result (exit 1 with the failing step's "
        "one-line message; `--verbose` adds Dagster's stack trace)."
    ),
    "review": (
        "Write (or backfill) weekly reviews: ISO weeks → the `weekly_review` partitions (their "
        "Mondays), a range as one run with `review n/N` progress lines; waits for the warehouse "
        "like `materialize` (exit 2 with the expected form for a bad week, and in one line with "
        "the weeks that exist for a week outside them)."
    ),
    "backup": (
        "Take a snapshot now into `[backup] dir` (or `--to DIR`), marked as taken by hand, as a "
        "run of the `backup` asset (it waits for the warehouse like `materialize`); prunes by the "
        "retention rule (a `--to DIR` only with `--prune`), keeps other snapshots taken by hand "
        "unless `--prune`, prints what it kept and why, and pushes to `[backup] remote` when set "
        "(a failed push is a warning; the local snapshot stands)."
    ),
    "restore": (
        "Verify the snapshot against its manifest, then rebuild `DIR/data`, `DIR/ledger` and "
        "`DIR/homeclerk.toml` (refuses a non-empty `DIR`; exit 1 on a corrupted snapshot, nothing "
        "written)."
    ),
    "fava": "Serve the books (`<books_dir>/main.beancount`) in Fava on 127.0.0.1.",
    "broker login": (
        "Sign in to Kite, catch the redirect on 127.0.0.1, cache today's session token (mode 0600)."
    ),
    "broker status": (
        "Is the cached broker session still valid? (`not logged in: run homeclerk broker login` "
        "without one; exit 1 with the fix when not valid)."
    ),
    "sms parse": (
        'JSON lines `{"id","sender","body"}` on stdin → `{"id","transaction","reason"}`: the '
        "transaction with its `kind`, `currency` (and for another currency `inr_amount`, the "
        "rupee figure the alert states, else null), readable `payee` (your `[[payees]]`, then the "
        "shipped table), `bank` and `category` (your rules, then the defaults), or null and the "
        "`reason` (otp, promo, declined, …, unrecognized). Two alerts of one payment among the "
        "lines (a bank's debit and an app's confirmation, a card spend and its e-mandate notice; "
        'optional `"received_at"` per line) are shown linked: `also_alerted_by` on the kept line, '
        "`linked_to` on the other."
    ),
    "sms dump": "The bank messages in a chat.db as JSON lines.",
    "categorize": (
        "Without arguments: the uncategorized spending grouped by payee, most spent first "
        "(count, total, last seen, a masked example, the category the rules now give it or the "
        "learned model suggests, with its confidence), from the warehouse opened read-only (exit "
        "2 in one line when a run keeps it busy or there is none yet); `--json`: the groups as "
        "`{payee, currency, count, total, last_seen, example, suggested, confidence, "
        "suggested_by}`. With "
        '`"PAYEE" Expenses:Food:Delivery`: writes a rule matching exactly that payee first in '
        "`[[categories.rules]]` of homeclerk.toml (comments and order kept, written atomically, "
        "checked by the settings reader); the next `transactions` run re-files the stored rows."
    ),
    "sms unrecognized": (
        "The bank SMS the parser could not read, grouped by shape (sender header + wording, with "
        "amounts, tails, dates, references, VPAs and names as placeholders), most frequent first: "
        "shape id, count, first/last seen and a masked example, and for a doubtful shape (no "
        "format may read it) its reason and `sms dismiss` command; opens the warehouse "
        "read-only, so it works while `serve` runs (exit 2 in one line when a run keeps it busy, "
        "or when there is no warehouse yet). See docs/parser.md, Teaching the parser."
    ),
    "sms suggest": (
        "Propose a `[[sms.formats]]` entry for that shape, run it through the format loader and "
        "the parser over every stored message of the shape and print what each reads (masked), "
        "how many messages read today it would change, and the TOML to paste; the next run "
        "re-reads the old messages by itself. Exit 1 with the reason when no safe format can be "
        "proposed (no amount, no direction word) or a message is not read."
    ),
    "sms dismiss": (
        "Set aside the unrecognized messages of one shape, once you have read them: a doubtful "
        "alert (`doubtful_tense`, `doubtful_reversal`) or a wording no format should read. They "
        "leave `sms unrecognized` and `doctor` at once and the `parse_coverage` check at the "
        "next run; a new message of the shape is shown again. Nothing is deleted, and money they "
        "moved is not in the books (keep an entry by hand if it did). Exit 1 for a shape no "
        "unrecognized message has."
    ),
    "sms confirm": (
        "Count an amount the `amounts_plausible` check holds as implausible: it is real (the "
        "check prints this command with your `--config`); from the next run it is in the feed, "
        "the books and the review. Exit 1 with the reason for a GUID that is not held."
    ),
    "import": (
        "Import bank statement files (every layout docs/statements.md lists, and your "
        "`[[books.statement_formats]]`) into the warehouse's `statement_lines`: per file and "
        "account, the lines stored now and those imported before (the same file twice, or "
        "overlapping statements, adds nothing), how many an SMS transaction matched, how many "
        "are new (they enter the books as `source: statement` transactions from the next books "
        "run) and the SMS transactions of the period the statement lacks. An unknown file, or "
        "an account not in `[books] account_mapping` (the TOML to append is printed), stores "
        "nothing of that file; the other files are still imported (exit 1 when any failed)."
    ),
    "reconcile": (
        "Per account and month: SMS transactions, statement lines, matched, new from the "
        "statement, not on the statement, balance gaps open and closed, and the statement's "
        "opening/closing balance against the books'; `--account` (the ledger account or its "
        "last part) and `--month YYYY-MM` narrow it; `--json`: a list of objects with "
        "`account, month, sms, statement_lines, matched, new_from_statement, not_on_statement, "
        "gaps_open, gaps_closed, statement_opening, statement_closing, books_opening, "
        "books_closing`."
    ),
    "power sample": (
        "The power state now as one JSON line (`at`, `source`, `charge_percent`, `state`, "
        '`minutes_remaining`, `device`; `note: "no battery"` without one; `unparsed` with output '
        "not understood); exit 1 with the reason when nothing can be read."
    ),
    "notify test": (
        "Send one test message through every channel `[notify]` configures (ntfy, e-mail); "
        "exit 0 when each delivered, else exit 1 with one line per channel that failed and why. "
        "With no channel, the `[notify]` lines to paste."
    ),
    "launchd render": (
        "macOS: print the KeepAlive LaunchAgent `<[service] label>.plist` that runs `homeclerk "
        "serve` through the launcher (on any OS). See launchd/README.md."
    ),
    "launchd install": (
        "Write the LaunchAgent 0644 into `[service] launch_agents_dir`, then `bootout`, "
        "`bootstrap gui/<uid>`, `kickstart -k`, with launchd's error codes in words."
    ),
    "launchd status": "The LaunchAgent: installed, loaded, state, pid, runs, last exit code.",
    "launchd uninstall": "`bootout` the LaunchAgent and remove its plist.",
    "launchd lint": (
        "Check any launchd plist: missing log paths, relative / `~` / `$VAR` paths, non-string "
        "environment values, group/world-writable file, a program that does not exist, a "
        "`ThrottleInterval` near the job's period; each finding names the key and the fix (exit 1 "
        "when any)."
    ),
    "launchd build-launcher": (
        "Compile `launchd/launcher.c` with `cc` into `<data_dir>/bin/homeclerk-launcher`, this "
        "homeclerk script compiled in: the one binary to grant Full Disk Access."
    ),
    "systemd render": (
        "Linux: print the user unit `homeclerk.service` (`Restart=always`, no start limit) that "
        "runs `homeclerk serve` (on any OS); `--system [--user NAME]`: the system unit that runs "
        "as NAME and starts at boot, for a box without a user manager."
    ),
    "systemd install": (
        "Write the unit into `[service] systemd_user_dir`, then `systemctl --user daemon-reload`, "
        "`enable --now`, `restart` (see launchd/README.md, Linux: systemd, for `loginctl "
        "enable-linger`); with no user manager it says what works instead. `--system [--user "
        "NAME]` (as root): the system unit into `[service] systemd_system_dir`."
    ),
    "systemd status": (
        "The unit: ActiveState, SubState, MainPID, restarts, last exit status (`--system`: the "
        "system unit)."
    ),
    "systemd uninstall": "`disable --now` the unit and remove it (`--system`: the system unit).",
}
