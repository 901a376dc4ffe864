"""The one place homeclerk's Dagster definitions are assembled (`workspace.yaml` loads this)."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

from assets.books.definitions import BOOKS_ASSETS
from assets.expenses.definitions import expenses_feed, expenses_feed_fresh
from assets.portfolio.definitions import PORTFOLIO_ASSETS, PORTFOLIO_CHECKS
from assets.sms.definitions import SMS_ASSETS, SMS_CHECKS

from .maintenance import build_maintenance
from .portfolio_schedules import portfolio_schedules
from .resources import build_resources
from .sensors import build_bank_sms_sensor
from .settings import (
    Settings,
    SettingsError,
    load_env_file,
    load_settings,
    warn_exposed_secrets,
)

BANK_SMS_ASSETS = ("sms_messages", "transactions", "expenses_feed")
PORTFOLIO_ASSET_KEYS = ("broker_holdings", "portfolio_feed")
BOOKS_ASSET_KEYS = ("ledger_entries", "ledger_prices", "books")
# Balance assertions need complete days, so the books are written just after midnight.
BOOKS_CRON = "30 0 * * *"


def build_definitions(settings: Settings) -> Definitions:
    bank_sms_job = define_asset_job(
        "bank_sms_job",
        selection=AssetSelection.assets(*BANK_SMS_ASSETS),
        description="New bank SMS → warehouse → transactions → feeds/expenses.json.",
    )
    portfolio_job = define_asset_job(
        "portfolio_job",
        selection=AssetSelection.assets(*PORTFOLIO_ASSET_KEYS),
        description="Broker holdings → warehouse history → feeds/portfolio.json.",
    )
    books_job = define_asset_job(
        "books_job",
        selection=AssetSelection.assets(*BOOKS_ASSET_KEYS),
        description="Transactions and broker snapshots → generated ledger files → checked books.",
    )
    books_nightly = ScheduleDefinition(
        name="books_nightly",
        cron_schedule=BOOKS_CRON,
        execution_timezone=settings.timezone,
        job=books_job,
        default_status=DefaultScheduleStatus.RUNNING,
        description="00:30 every night: the ledger for the days that just completed.",
    )
    everything_job = define_asset_job(
        "everything_job",
        selection=AssetSelection.all(),
        description="Every asset, in dependency order (what `homeclerk demo` runs).",
    )
    return Definitions(
        assets=[*SMS_ASSETS, expenses_feed, *PORTFOLIO_ASSETS, *BOOKS_ASSETS],
        asset_checks=[*SMS_CHECKS, expenses_feed_fresh, *PORTFOLIO_CHECKS],
        jobs=[bank_sms_job, portfolio_job, books_job, everything_job],
        sensors=[build_bank_sms_sensor(settings, bank_sms_job)],
        schedules=[
            *portfolio_schedules(portfolio_job, timezone=settings.timezone),
            books_nightly,
        ],
        resources=build_resources(settings),
        # Runs here are small; the in-process executor starts in ~2.4 s instead of ~5.6 s.
        executor=in_process_executor,
    )


class HomeclerkConfigError(Exception):
    """homeclerk.toml (or .env) is wrong; the message is the settings message, with the fix."""


def _load() -> Definitions:
    settings = load_settings()
    warn_exposed_secrets(settings)  # in the code server's log, at every (re)load
    load_env_file(settings)
    return Definitions.merge(build_definitions(settings), build_maintenance(settings))


try:
    defs = _load()
except SettingsError as exc:
    # Raised here, unchained: the UI shows the settings message and this one line, not the
    # settings reader's internals (the same words `homeclerk` prints on the command line).
    raise HomeclerkConfigError(f"configuration error: {exc}") from None
