"""The one place homeclerk's Dagster definitions are assembled (`workspace.yaml` loads this)."""

from __future__ import annotations

from dagster import (
    AssetsDefinition,
    AssetSelection,
    Definitions,
    SensorDefinition,
    define_asset_job,
    in_process_executor,
)

from assets.notify.sensors import IncidentSource, build_incidents_sensor
from pipeline.domains import domain_modules
from pipeline.permissions import apply_private_umask
from pipeline.resources import build_resources
from pipeline.service.maintenance import build_maintenance
from pipeline.service.storage import note_settings_error
from pipeline.settings import (
    Settings,
    SettingsError,
    load_env_file,
    load_settings,
    warn_exposed_secrets,
)
from pipeline.store_hooks import store_hooks

# Each domain's `definitions.py` has `build_defs(resources) -> Definitions` with its assets,
# checks, jobs, schedules and sensors. Adding a domain is its folder under assets/ and a line in
# `DOMAIN_NAMES` (pipeline/domains.py), which its settings and resources are found from too.
DOMAINS = domain_modules("definitions")

# Plain `dagster dev` or `dagster api grpc` (no homeclerk command in front) loads this module in
# the code server and each run worker: what they write is the owner's alone too.
apply_private_umask()


def build_definitions(settings: Settings) -> Definitions:
    """Every domain's definitions, merged, with the resources wired from `settings`."""
    resources = build_resources(settings)
    everything_job = define_asset_job(
        "everything_job",
        # Backups are their own nightly job (a snapshot taken mid-run would hold half a refresh);
        # partitioned assets (the weekly review) run per partition, through their own jobs.
        selection=AssetSelection.all() - AssetSelection.groups("backup", "review"),
        description="Every unpartitioned asset but the backup, in dependency order (what "
        "`homeclerk demo` runs).",
    )
    merged = Definitions.merge(
        *(domain.build_defs(resources) for domain in DOMAINS),
        Definitions(sensors=[notify_incidents(resources)]),
        build_maintenance(settings),
        Definitions(
            resources=resources,
            jobs=[everything_job],
            # Runs here are small; the in-process executor starts in ~2.4 s instead of ~5.6 s.
            executor=in_process_executor,
        ),
    )
    # On the assets themselves, so a run launched from the UI marks the feeds too.
    hooks = store_hooks(settings)
    return Definitions(
        assets=[
            a.with_hooks(hooks) if isinstance(a, AssetsDefinition) else a
            for a in merged.assets or ()
        ],
        asset_checks=merged.asset_checks,
        schedules=merged.schedules,
        sensors=merged.sensors,
        jobs=merged.jobs,
        resources=merged.resources,
        executor=merged.executor,
        loggers=merged.loggers,
        metadata=merged.metadata,
    )


def notify_sources(resources: dict) -> list[IncidentSource]:
    """Every domain's incident sources (its `notify_sources(resources)`, when it has one)."""
    return [
        source
        for domain in DOMAINS
        if hasattr(domain, "notify_sources")
        for source in domain.notify_sources(resources)
    ]


def notify_incidents(resources: dict) -> SensorDefinition:
    """The one sensor that looks at every domain's incident sources and delivers."""
    return build_incidents_sensor(
        resources["notifier"], resources["clock"].now, notify_sources(resources)
    )


def asset_names(defs: Definitions) -> list[str]:
    """The asset keys of `defs` as strings, in the order the domains define them."""
    return [
        key.to_user_string()
        for assets_def in defs.assets or ()
        for key in getattr(assets_def, "keys", ())
    ]


class HomeclerkConfigError(Exception):
    """homeclerk.toml (or .env) is wrong; the message is the settings message, with the fix."""


def _load() -> Definitions:
    settings = load_settings()
    warn_exposed_secrets(settings)  # in the code server's log, at every (re)load
    load_env_file(settings)
    return build_definitions(settings)


try:
    defs = _load()
except SettingsError as exc:
    # In a run worker, its failed run is then not retried (pipeline.service.storage): same file,
    # same error. The service restarts the code server when the file changes.
    note_settings_error(str(exc))
    # Raised here, unchained: the UI shows the settings message and this one line, not the
    # settings reader's internals (the same words `homeclerk` prints on the command line).
    raise HomeclerkConfigError(f"configuration error: {exc}") from None
note_settings_error(None)
