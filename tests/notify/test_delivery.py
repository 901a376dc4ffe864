"""Notifications end to end over real local receivers: an HTTP topic and an SMTP server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from dagster import EnvVar

from assets.notify.channels import DeliveryError, Message, SmtpServer, send_email, send_ntfy
from assets.notify.incidents import Problem, clear_incident, open_incident, sync_incidents
from assets.notify.resources import Notifier
from assets.notify.store import read_state
from tests.notify.receivers import http_receiver, smtp_receiver

# The SMTP server asks for a login without TLS: it is on 127.0.0.1, in this test only.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

NOON = dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)  # 12:00 in Kolkata
TOKEN = "tk_secret_value_91c4"
PASSWORD = "pw-secret-7731"
OUTAGE = Problem("Power outage", "On battery since 11:58 (charge 93 %)")


def notifier(tmp_path: Path, **fields: object) -> Notifier:
    return Notifier(state_file=str(tmp_path / "notify" / "state.json"), **fields)


def open_outage(state: dict, now: dt.datetime) -> list[str]:
    return ["opened"] if open_incident(state, "power:outage", OUTAGE, now) else []


def test_ntfy_post_carries_title_body_link_and_the_bearer_token() -> None:
    with http_receiver("home-topic") as topic:
        send_ntfy(
            topic.url, Message("Run failed: books_job", "step x: boom", "http://ui/r/1"), TOKEN
        )
    [post] = topic.posts
    assert post.path == "/home-topic"
    assert post.headers["Title"] == "Run failed: books_job"
    assert post.headers["Click"] == "http://ui/r/1"
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.body.startswith("step x: boom")


def test_ntfy_title_outside_latin1_is_sent_encoded() -> None:
    with http_receiver() as topic:
        send_ntfy(topic.url, Message("Review: ₹3,82,842 spent", "body"))
    [post] = topic.posts
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(post.headers["Title"]))) == "Review: ₹3,82,842 spent"


def test_email_is_sent_with_login_and_the_password_never_in_the_error(tmp_path: Path) -> None:
    server_kwargs = {"user": "owner@example.com", "starttls": False}
    with smtp_receiver(password=PASSWORD) as smtp:
        server = SmtpServer(smtp.host, smtp.port, **server_kwargs)
        message = Message("Backup missing", "no good snapshot in 36 h", "http://x/y")
        send_email(server, PASSWORD, "clerk@example.com", ["owner@example.com"], message)
        with pytest.raises(DeliveryError) as refused:
            send_email(server, "wrong-" + PASSWORD, "clerk@example.com", ["o@example.com"], message)
    [mail] = smtp.messages
    assert mail["Subject"] == "Backup missing"
    assert "http://x/y" in mail.get_payload()
    assert smtp.envelopes[0] == ("clerk@example.com", ["owner@example.com"])
    assert smtp.logins[0] == ("owner@example.com", PASSWORD)
    assert "refused the login" in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_one_message_per_incident_across_restarts_then_one_clear(tmp_path: Path) -> None:
    with http_receiver() as topic:
        first = notifier(tmp_path, ntfy_url=topic.url)
        first.change(lambda s: open_outage(s, NOON), NOON)
        # A new process (the code server restarted) with the same state file: nothing resent.
        again = notifier(tmp_path, ntfy_url=topic.url)
        later = NOON + dt.timedelta(minutes=2)
        assert again.change(lambda s: open_outage(s, later), later) == []
        assert [p.headers["Title"] for p in topic.posts] == ["Power outage"]
        cleared = NOON + dt.timedelta(minutes=40)
        again.change(lambda s: sync_incidents(s, "power:", {}, cleared), cleared)
    assert [p.headers["Title"] for p in topic.posts] == [
        "Power outage",
        "Resolved: Power outage",
    ]
    assert "Cleared after 40 min" in topic.posts[1].body


def test_a_reminder_after_remind_after_hours_then_again_only_after_as_long(tmp_path: Path) -> None:
    with http_receiver() as topic:
        clerk = notifier(tmp_path, ntfy_url=topic.url, remind_after_hours=6)
        clerk.change(lambda s: open_outage(s, NOON), NOON)
        for minutes in (60, 5 * 60 + 59):
            clerk.change(lambda s: [], NOON + dt.timedelta(minutes=minutes))
        assert len(topic.posts) == 1
        clerk.change(lambda s: [], NOON + dt.timedelta(hours=6))
        clerk.change(lambda s: [], NOON + dt.timedelta(hours=11))
        clerk.change(lambda s: [], NOON + dt.timedelta(hours=12))
    titles = [p.headers["Title"] for p in topic.posts]
    assert titles == ["Power outage", "Still wrong: Power outage", "Still wrong: Power outage"]
    assert "Open for 6 h" in topic.posts[1].body


def test_quiet_hours_hold_messages_until_they_end_in_the_owners_zone(tmp_path: Path) -> None:
    # 23:10 in Kolkata is 17:40 UTC: inside 22:00-07:00 there, outside it in UTC.
    night = dt.datetime(2026, 3, 2, 17, 40, tzinfo=dt.UTC)
    morning = dt.datetime(2026, 3, 3, 1, 30, tzinfo=dt.UTC)  # 07:00 Kolkata
    lines: list[str] = []
    with http_receiver() as topic:
        clerk = notifier(
            tmp_path, ntfy_url=topic.url, quiet_hours="22:00-07:00", timezone="Asia/Kolkata"
        )
        clerk.change(lambda s: open_outage(s, night), night, lines.append)
        clerk.change(lambda s: [], morning - dt.timedelta(minutes=1), lines.append)
        assert topic.posts == []
        assert any("held until 2026-03-03 01:30 UTC" in line for line in lines)
        clerk.change(lambda s: [], morning, lines.append)
    assert [p.headers["Title"] for p in topic.posts] == ["Power outage"]


def test_an_incident_that_came_and_went_in_quiet_hours_sends_nothing(tmp_path: Path) -> None:
    night = dt.datetime(2026, 3, 2, 17, 40, tzinfo=dt.UTC)
    with http_receiver() as topic:
        clerk = notifier(
            tmp_path, ntfy_url=topic.url, quiet_hours="22:00-07:00", timezone="Asia/Kolkata"
        )
        clerk.change(lambda s: open_outage(s, night), night)
        later = night + dt.timedelta(minutes=20)
        clerk.change(lambda s: [clear_incident(s, "power:outage", later)], later)
        clerk.change(lambda s: [], night + dt.timedelta(hours=10))
    assert topic.posts == []
    assert read_state(tmp_path / "notify" / "state.json")["outbox"] == []


def test_a_receiver_that_fails_then_recovers_gets_the_message_on_a_later_retry(
    tmp_path: Path,
) -> None:
    lines: list[str] = []
    with http_receiver() as topic:
        topic.refuse = 2
        clerk = notifier(tmp_path, ntfy_url=topic.url)
        clerk.change(lambda s: open_outage(s, NOON), NOON, lines.append)  # refused (1)
        # The retry waits 1 min: a tick before then tries nothing.
        clerk.change(lambda s: [], NOON + dt.timedelta(seconds=59), lines.append)
        assert topic.refused == 1
        clerk.change(lambda s: [], NOON + dt.timedelta(minutes=1), lines.append)  # refused (2)
        assert topic.refused == 2
        clerk.change(lambda s: [], NOON + dt.timedelta(minutes=2), lines.append)  # backoff: 2 min
        assert topic.posts == []
        clerk.change(lambda s: [], NOON + dt.timedelta(minutes=3), lines.append)
    assert [p.headers["Title"] for p in topic.posts] == ["Power outage"]
    failures = [line for line in lines if line.startswith("not delivered")]
    assert len(failures) == 2
    assert "HTTP 503" in failures[0] and "retry in 1 min" in failures[0]
    assert "retry in 2 min" in failures[1]
    assert read_state(tmp_path / "notify" / "state.json")["outbox"] == []


def test_a_channel_that_delivered_is_not_sent_again_when_the_other_fails(tmp_path: Path) -> None:
    with http_receiver() as topic:
        # An SMTP port nothing listens on: e-mail fails, ntfy succeeds.
        from tests.support import free_port

        clerk = notifier(
            tmp_path,
            ntfy_url=topic.url,
            smtp_host="127.0.0.1",
            smtp_port=free_port(),
            smtp_starttls=False,
            email_from="c@example.com",
            email_to=["o@example.com"],
        )
        clerk.change(lambda s: open_outage(s, NOON), NOON)
        clerk.change(lambda s: [], NOON + dt.timedelta(minutes=1))
    assert len(topic.posts) == 1
    [waiting] = read_state(tmp_path / "notify" / "state.json")["outbox"]
    assert waiting["done"] == ["ntfy"] and waiting["attempts"] == 2


def test_secrets_never_reach_logs_state_or_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NTFY_TOKEN", TOKEN)
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    lines: list[str] = []
    with http_receiver() as topic, smtp_receiver(password="not-the-one") as smtp:
        topic.refuse = 1
        clerk = notifier(
            tmp_path,
            ntfy_url=topic.url,
            ntfy_token=EnvVar("NTFY_TOKEN"),
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            smtp_user="owner@example.com",
            smtp_password=EnvVar("SMTP_PASSWORD"),
            smtp_starttls=False,
            email_to=["owner@example.com"],
            email_from="clerk@example.com",
        )
        clerk.change(lambda s: open_outage(s, NOON), NOON, lines.append)
        clerk.change(lambda s: [], NOON + dt.timedelta(minutes=1), lines.append)
    # The token did reach the receiver (EnvVar resolved), and the password the SMTP server.
    assert topic.posts[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert smtp.logins[0] == ("owner@example.com", PASSWORD)
    assert len([line for line in lines if line.startswith("not delivered")]) == 3
    state_text = (tmp_path / "notify" / "state.json").read_text()
    captured = capsys.readouterr()
    for text in ("\n".join(lines), state_text, captured.out, captured.err, repr(clerk)):
        assert TOKEN not in text
        assert PASSWORD not in text


def test_an_unreadable_state_file_is_set_aside_and_notifying_goes_on(tmp_path: Path) -> None:
    state = tmp_path / "notify" / "state.json"
    state.parent.mkdir()
    state.write_text("{ not json")
    lines: list[str] = []
    with http_receiver() as topic:
        notifier(tmp_path, ntfy_url=topic.url).change(
            lambda s: open_outage(s, NOON), NOON, lines.append
        )
    assert len(topic.posts) == 1
    assert (state.parent / "state.json.bad").read_text() == "{ not json"
    assert "set aside" in lines[0]
    assert json.loads(state.read_text())["incidents"]["power:outage"]["title"] == "Power outage"


def test_starttls_asked_of_a_server_without_it_is_one_line_with_the_fix() -> None:
    with smtp_receiver() as smtp:
        server = SmtpServer(smtp.host, smtp.port, starttls=True)
        with pytest.raises(DeliveryError) as error:
            send_email(server, "", "c@example.com", ["o@example.com"], Message("t", "b"))
    assert str(error.value) == (
        f"SMTP 127.0.0.1:{smtp.port} does not offer STARTTLS: set `smtp_starttls = false` only "
        "for a server on this machine"
    )
    assert smtp.messages == []


def test_a_tick_that_changes_nothing_does_not_rewrite_the_state(tmp_path: Path) -> None:
    with http_receiver() as topic:
        clerk = notifier(tmp_path, ntfy_url=topic.url)
        clerk.change(lambda s: open_outage(s, NOON), NOON)
        state = tmp_path / "notify" / "state.json"
        state.write_text(state.read_text() + "\n")  # a mark the next write would drop
        clerk.change(lambda s: [], NOON + dt.timedelta(minutes=1))
        assert state.read_text().endswith("\n\n")
        clerk.change(lambda s: open_outage(s, NOON), NOON + dt.timedelta(hours=13))  # reminder
    assert not state.read_text().endswith("\n\n")
    assert len(topic.posts) == 2
