"""Fava's Categorize page over real HTTP: it lists the uncategorized payees; a pick from the page
writes the rule into the owner's commented homeclerk.toml; a cross-site POST or one without the
page's token gets 403 and writes nothing. (The Chromium test with the Dagster UI's refresh is in
tests/ui/test_fava_categorize_ui.py.)"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from pipeline.settings import CONFIG_ENV, Settings, load_settings
from tests.support import free_port, http_ok, wait_for

END = dt.date(2026, 11, 19)
UPI = (
    "Sent Rs.{amount}\nFrom HDFC Bank A/C *1276\nTo JOSEPH THOMAS\nOn 18/11/26\n"
    "Ref 45816789622{i}\nNot You?\nCall 18002586161/SMS BLOCK UPI to 7308080808"
)
# The owner's own notes and layout, which the page's writer must keep byte for byte.
NOTES = "# My settings. Notes are mine: keep them.\n"
TAIL = (
    '\n# Family, by hand.\n[[categories.rules]]\npattern = "^AMMA$"   # mum\ncategory = "Family"\n'
)
FAMILY = "Expenses:Family"
PAGE = "extension/HomeclerkCategorize/"


def build_folder(folder: Path) -> tuple[Settings, Path]:
    """A demo chat.db with two uncategorized debits to JOSEPH THOMAS, read into the warehouse
    and the books (bank_sms_job, then recategorize_job, in process), books that open
    Expenses:Family, and a homeclerk.toml with the owner's comments."""
    from assets.books.reader import read_alerts
    from assets.sms.chatdb import utc_to_apple_ns
    from pipeline.demo.books import demo_main_beancount, opening_balances_for
    from pipeline.demo.build import write_chat_db, write_demo_config
    from pipeline.demo.chatdb_writer import NewMessage, append_messages
    from pipeline.demo.messages import generate_demo_messages

    write_chat_db(folder / "chat.db", generate_demo_messages(END, seed=5, days=12), seed=5)
    config = write_demo_config(folder, "http://127.0.0.1:9/none")
    config.write_text(NOTES + config.read_text() + TAIL)
    settings = load_settings(config)
    append_messages(
        settings.chat_db,
        [
            NewMessage(
                guid=f"JT-{i}",
                sender="VM-HDFCBK",
                text=UPI.format(amount=amount, i=i),
                attributed_body=None,
                date=utc_to_apple_ns(dt.datetime(2026, 11, 19, 14, 30 + i, tzinfo=dt.UTC)),
            )
            for i, amount in enumerate(["500.00", "1,250.00"])
        ],
    )
    _run_job(settings, "bank_sms_job")
    alerts = read_alerts(settings.warehouse)
    mapping = settings.section("books").accounts
    opening = opening_balances_for(alerts, mapping, settings.tz)
    main = demo_main_beancount(
        opening_balances=opening,
        accounts=[FAMILY],
        holdings=[],
        holdings_date=END - dt.timedelta(days=40),
        open_date=END - dt.timedelta(days=60),
    )
    settings.books_dir.mkdir(parents=True, exist_ok=True)
    (settings.books_dir / "main.beancount").write_text(main)
    _run_job(settings, "recategorize_job")
    return settings, config


def _run_job(settings: Settings, name: str) -> None:
    from dagster import DagsterInstance

    from pipeline.definitions import build_definitions
    from pipeline.service.instance import prepare_instance

    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        job = build_definitions(settings).resolve_job_def(name)
        assert job.execute_in_process(instance=instance).success


class Fava(NamedTuple):
    base: str  # http://127.0.0.1:PORT/<ledger slug>/
    port: int


@contextlib.contextmanager
def serve_fava(settings: Settings, config: Path, *, bare: bool = False) -> Iterator[Fava]:
    """`python -m pipeline.service.fava_server` over the books (behind homeclerk's Host and
    cross-site check), its settings found as `homeclerk serve` passes them: the environment.
    `bare`: Fava's own command instead, as an owner may start it, with no check in front."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env[CONFIG_ENV] = str(config)
    log = (config.parent / "fava.log").open("w")
    main = str(settings.books_dir / "main.beancount")
    fava_command = [str(Path(sys.executable).with_name("fava")), main, "-p", str(port)]
    served = [sys.executable, "-m", "pipeline.service.fava_server", main, "--port", str(port)]
    proc = subprocess.Popen(
        fava_command if bare else served,
        env=env,
        cwd=config.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is None and http_ok(root + "/"), 60, "Fava to answer")
        with urllib.request.urlopen(root + "/", timeout=10) as response:
            slug = response.geturl().removeprefix(root + "/").split("/", 1)[0]
        yield Fava(f"{root}/{slug}/", port)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Path, Fava]]:
    folder = tmp_path_factory.mktemp("fava-categorize")
    settings, config = build_folder(folder)
    with serve_fava(settings, config) as fava:
        yield settings, config, fava


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def token_of(page: str) -> str:
    match = re.search(r'name="homeclerk_token" value="([^"]+)"', page)
    assert match, "the page carries no token"
    return match.group(1)


def post(fava: Fava, fields: dict[str, str], headers: dict[str, str]) -> tuple[int, str, str]:
    """POST the form to the page's endpoint: (status, Location, body); redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    request = urllib.request.Request(
        fava.base + PAGE + "file",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        method="POST",
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", ""), exc.read().decode()


def test_the_page_lists_the_payee_with_the_ledgers_open_expense_accounts(books) -> None:
    _settings, _config, fava = books
    page = get(fava.base + PAGE)
    row = page.split('data-payee="Joseph Thomas"', 1)[1].split("</tr>", 1)[0]
    assert "1,750.00 INR" in row and "2026-11-18" in row
    options = re.findall(r'<option value="([^"]+)"', row)
    assert FAMILY in options and "Expenses:Food:Delivery" in options
    assert all(o.startswith("Expenses:") for o in options)
    assert "Expenses:Uncategorized" not in options  # filing under it would file nothing
    # The account number in the example is masked, as `homeclerk categorize` shows it.
    assert "458167896221" not in row and "JOSEPH THOMAS" in row


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
    ids=["origin", "null-origin", "fetch-site"],
)
def test_a_cross_site_post_is_refused_and_writes_nothing(books, headers) -> None:
    _settings, config, fava = books
    before = config.read_bytes()
    token = token_of(get(fava.base + PAGE))
    fields = {"homeclerk_token": token, "payee": "Joseph Thomas", "account": FAMILY}
    status, _location, body = post(fava, fields, headers)
    assert status == 403, body
    assert config.read_bytes() == before


def test_without_homeclerks_check_in_front_the_page_still_refuses_a_cross_site_post(
    books,
) -> None:
    # Fava started by hand (`fava main.beancount`) has no Host or cross-site check in front:
    # the page's own check holds, even for a POST that carries the token.
    settings, config, _fava = books
    before = config.read_bytes()
    with serve_fava(settings, config, bare=True) as bare:
        token = token_of(get(bare.base + PAGE))
        fields = {"homeclerk_token": token, "payee": "Joseph Thomas", "account": FAMILY}
        for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            status, _location, body = post(bare, fields, headers)
            assert status == 403 and "it came from another site" in body
    assert config.read_bytes() == before


def test_a_post_without_the_pages_token_is_refused_and_writes_nothing(books) -> None:
    _settings, config, fava = books
    before = config.read_bytes()
    same_site = {"Origin": f"http://127.0.0.1:{fava.port}", "Sec-Fetch-Site": "same-origin"}
    for token in ({}, {"homeclerk_token": "guessed"}):
        fields = {**token, "payee": "Joseph Thomas", "account": FAMILY}
        status, _location, body = post(fava, fields, same_site)
        assert status == 403 and "did not carry this page's token" in body
    assert config.read_bytes() == before


def test_a_pick_writes_the_rule_keeping_the_owners_comments(books) -> None:
    settings, config, fava = books
    before = config.read_text()
    token = token_of(get(fava.base + PAGE))
    same_site = {"Origin": f"http://127.0.0.1:{fava.port}", "Sec-Fetch-Site": "same-origin"}
    # An account the ledger does not open is refused (the picker offers only open ones).
    fields = {"homeclerk_token": token, "payee": "Joseph Thomas", "account": "Expenses:Nope"}
    status, location, _body = post(fava, fields, same_site)
    assert status == 303 and "categorized_error=" in location
    assert config.read_text() == before

    fields["account"] = FAMILY
    status, location, _body = post(fava, fields, same_site)
    location = urllib.parse.urljoin(fava.base, location)
    assert status == 303 and location.startswith(
        fava.base + PAGE + "?categorized_filed=Joseph+Thomas"
    )
    header = "[[categories.rules]]\n"
    at = before.index(header) + len(header)
    block = (
        "# written by `homeclerk categorize`\n"
        'pattern = "^(?:Joseph Thomas|JOSEPH THOMAS)$"\n'
        'category = "Family"\n'
        'direction = "debit"\n\n' + header
    )
    assert config.read_text() == before[:at] + block + before[at:]
    assert config.read_text().startswith(NOTES) and config.read_text().endswith(TAIL)

    # No Dagster UI runs here: the page says the refresh was not asked for, with a command
    # that, pasted as printed, refreshes the books.
    page = get(location)
    assert "is filed under <b>Expenses:Family</b>" in page
    message = re.search(r"The refresh could not be asked for: (.*?)</span>", page, re.S)
    assert message and "is not reachable" in message.group(1)
    command = message.group(1).split("to refresh the books now: ")[1].strip()
    assert command.endswith(f"--config {config} materialize transactions+")
    from tests.pipeline.test_cli_sms_teach import _paste

    ran = _paste(command, config.parent.parent)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    generated = "".join(p.read_text() for p in (settings.books_dir / "generated").rglob("*.bean*"))
    joseph = [e for e in generated.split("\n\n") if "JT-" in e]
    assert len(joseph) == 2 and all(FAMILY in e for e in joseph)
    # The notice takes no link from its query: a crafted one shows no run at all.
    crafted = fava.base + PAGE + "?categorized_filed=X&categorized_run=javascript:alert(1)"
    assert "javascript:" not in get(crafted)

    # Filed: the payee has left the page.
    assert 'data-payee="Joseph Thomas"' not in get(fava.base + PAGE)
