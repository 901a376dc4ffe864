"""The `transactions` asset as Dagster runs it, on a real chat.db and a real DuckDB warehouse."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance, materialize

from assets.sms.definitions import sms_messages
from assets.transactions.definitions import transactions
from assets.transactions.resources import ParsingConfig
from tests.sms.helpers import UPI_DEBIT, ChatDb
from tests.sms.test_sms_definitions import resources


def test_a_bad_category_rule_fails_transactions_with_the_entry_named(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="1.00"))])
    res = resources(chat_db.path, tmp_path / "w.duckdb")
    res["parsing"] = ParsingConfig(category_rules=[{"pattern": "x", "category": "lower case"}])
    result = materialize(
        [sms_messages, transactions],
        resources=res,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "transactions"
    assert "category rule 1" in failure.step_failure_data.error.message


def test_the_setting_reaches_the_asset_and_its_metadata_counts_what_was_learned(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    from assets.transactions.resources import resources_from_settings
    from pipeline.settings import load_settings
    from tests.transactions.test_learned import OWNER_RULES_TOML, learnable_spending

    learnable_spending(chat_db)
    config = tmp_path / "homeclerk.toml"
    config.write_text("[categories]\nauto_apply_confidence = 0.9\n\n" + OWNER_RULES_TOML)
    res = resources(chat_db.path, tmp_path / "w.duckdb")
    res.update(resources_from_settings(load_settings(config)))  # `parsing`, as serve builds it
    result = materialize(
        [sms_messages, transactions], resources=res, instance=DagsterInstance.ephemeral()
    )
    assert result.success
    metadata = result.asset_materializations_for_node("transactions")[0].metadata
    assert metadata["learned"].value == 1  # KAVERI STORES HSR, as its grocer
