"""The SMS webhook over real HTTP on 127.0.0.1: auth, limits, both forwarder apps' payloads,
idempotency, and the kill -9 test (every message answered 202 stored exactly once)."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.sms.webhook_ingest import ingest_webhook_spool, message_guid
from assets.sms.webhook_spool import SPOOL_FILE, read_spool
from pipeline.service.webhook_server import TokenBucket, WebhookServer, webhook_token
from tests.sms.helpers import OTP, UPI_DEBIT
from tests.support import wait_for

TOKEN = "s3cret-token-for-tests-only"
IST = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]


def stamp(i: int) -> int:
    return int((NOW - dt.timedelta(hours=2) + dt.timedelta(seconds=i)).timestamp() * 1000)


def plain(i: int, sender: str = "VM-HDFCBK", body: str | None = None) -> dict[str, object]:
    text = body if body is not None else UPI_DEBIT.format(amount=f"{100 + i}.00")
    return {"from": sender, "body": text, "received_at": stamp(i), "id": f"m{i}"}


class Client:
    def __init__(self, port: int) -> None:
        self.port = port

    def post(
        self,
        payload: object,
        token: str | None = TOKEN,
        path: str = "/sms",
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            data = raw if raw is not None else json.dumps(payload).encode()
            sent = {"Content-Type": "application/json", **(headers or {})}
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            connection.request("POST", path, body=data, headers=sent)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@contextlib.contextmanager
def running(spool: Path, rate: float = 1000.0, burst: int = 1000) -> Iterator[Client]:
    server = WebhookServer(spool, 0, TOKEN, (), IST, rate=rate, burst=burst)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield Client(port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def spooled(spool: Path) -> list[str]:
    return [m["id"] for m in read_spool(spool).messages]


def test_no_token_or_a_wrong_one_is_401_and_the_secret_is_never_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    spool = tmp_path / "sms-spool"
    caplog.set_level(logging.DEBUG)
    with running(spool) as client:
        assert client.post(plain(1), token=None)[0] == 401
        assert client.post(plain(1), token="wrong")[0] == 401
        assert client.post(plain(1), token=TOKEN + "x")[0] == 401
        assert client.post(plain(1), token=TOKEN[:-1])[0] == 401
        status, _, body = client.post(plain(1), token=None, headers={"Authorization": TOKEN})
        assert status == 401 and b"Bearer" in body
        assert spooled(spool) == []
        assert client.post(plain(1))[0] == 202
    out, err = capfd.readouterr()
    assert TOKEN not in out + err + caplog.text
    assert spooled(spool) == ["i:m1"]


def test_a_body_over_8_kb_is_413_and_a_bad_payload_400_with_its_reason(tmp_path: Path) -> None:
    spool = tmp_path / "sms-spool"
    with running(spool) as client:
        big = plain(1, body="x" * 8200)
        assert client.post(big)[0] == 413
        status, _, body = client.post(None, raw=b'{"from":"VM-HDFCBK","body":"Rs 5"}')
        assert status == 400
        assert "`received_at` is missing" in json.loads(body)["error"]
        assert client.post(None, raw=b"\xff\xfe not json")[0] == 400
        assert client.post(plain(2), path="/other")[0] == 404
        foreign = client.post(plain(2), headers={"Host": "evil.example:80"})
        assert foreign[0] == 421
        page = client.post(plain(2), headers={"Origin": "https://evil.example"})
        assert page[0] == 403  # a web page the owner visits: refused even with the token
        assert spooled(spool) == []


def test_above_the_rate_is_429_with_retry_after(tmp_path: Path) -> None:
    spool = tmp_path / "sms-spool"
    with running(spool, rate=0.5, burst=3) as client:
        answers = [client.post(plain(i)) for i in range(5)]
    assert [a[0] for a in answers] == [202, 202, 202, 429, 429]
    assert int(answers[3][1]["Retry-After"]) >= 1
    assert spooled(spool) == ["i:m0", "i:m1", "i:m2"]


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(20.0, 2, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, pytest.approx(0.05)]
    now[0] += 0.05
    assert bucket.take() == 0.0


def test_both_apps_payloads_are_stored_and_a_duplicate_is_one_line(tmp_path: Path) -> None:
    spool, warehouse = tmp_path / "sms-spool", tmp_path / "warehouse.duckdb"
    at = dt.datetime.fromtimestamp(stamp(7) / 1000, IST).isoformat(timespec="milliseconds")
    gateway = {  # SMS Gateway for Android, sms:received
        "deviceId": "ffffffffceb0b1db0000018e937c815b",
        "event": "sms:received",
        "id": "Ey6ECgOkVVFjz3CL48B8C",
        "payload": {
            "messageId": "abc123",
            "message": UPI_DEBIT.format(amount="7.00"),
            "phoneNumber": "VM-HDFCBK",
            "simNumber": 1,
            "receivedAt": at,
        },
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
    }
    forwarder = {  # Incoming SMS to URL forwarder, its sample template
        "from": "JD-HDFCBK-S",
        "text": UPI_DEBIT.format(amount="8.00"),
        "sentStamp": str(stamp(8) - 3000),
        "receivedStamp": str(stamp(8)),
        "sim": "sim1",
    }
    with running(spool) as client:
        assert client.post(gateway)[0] == 202
        assert client.post(forwarder)[0] == 202
        assert client.post(gateway)[0] == 200  # the app's retry: no second line
        status, _, body = client.post(forwarder)
        assert (status, json.loads(body)["status"]) == (200, "duplicate")
        ping = {"event": "system:ping", "payload": {}, "deviceId": "d"}
        assert client.post(ping)[0] == 200
    assert len(spooled(spool)) == 2
    stats = ingest_webhook_spool(spool, warehouse, ["HDFCBK"], now=NOW)
    assert stats.stored == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute(
            "SELECT sender, epoch_ms(received_at), source FROM sms_messages ORDER BY rowid"
        ).fetchall()
    assert got == [("VM-HDFCBK", stamp(7), "webhook"), ("JD-HDFCBK-S", stamp(8), "webhook")]


def test_a_restarted_server_knows_the_spooled_ids(tmp_path: Path) -> None:
    spool = tmp_path / "sms-spool"
    with running(spool) as client:
        assert client.post(plain(1))[0] == 202
    with running(spool) as client:
        assert client.post(plain(1))[0] == 200
    assert spooled(spool) == ["i:m1"]


def test_an_otp_posted_is_gone_from_disk_after_the_run(tmp_path: Path) -> None:
    spool, warehouse = tmp_path / "sms-spool", tmp_path / "warehouse.duckdb"
    with running(spool) as client:
        assert client.post(plain(1, body=OTP))[0] == 202
        assert client.post(plain(2))[0] == 202
    assert b"452118" in (spool / SPOOL_FILE).read_bytes()
    stats = ingest_webhook_spool(spool, warehouse, ["HDFCBK"], now=NOW)
    assert (stats.stored, stats.otp_dropped) == (1, 1)
    assert not any(b"452118" in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_the_token_is_read_from_the_env_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"SMS_WEBHOOK_TOKEN={TOKEN}\n")
    assert webhook_token(env, environ={}) == TOKEN
    assert webhook_token(env, environ={"SMS_WEBHOOK_TOKEN": "from-env"}) == "from-env"
    assert webhook_token(tmp_path / "none", environ={}) == ""


def _start(spool: Path) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ, SMS_WEBHOOK_TOKEN=TOKEN)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.service.webhook_server", str(spool), "--port", "0",
         "--rate", "100000", "--burst", "100000"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "webhook on http://127.0.0.1:PORT/sms"
    return proc, int(line.rsplit(":", 1)[1].split("/")[0])


def test_kill_9_mid_burst_every_202_is_stored_exactly_once(tmp_path: Path) -> None:
    spool, warehouse = tmp_path / "sms-spool", tmp_path / "warehouse.duckdb"
    posted = [plain(i) for i in range(1000)]
    answered: dict[str, int] = {}
    proc, port = _start(spool)
    client = Client(port)
    killed = threading.Event()

    def send(payload: dict[str, object]) -> None:
        try:
            status = client.post(payload)[0]
        except (OSError, http.client.HTTPException):
            return  # the server died under it: no answer
        answered[str(payload["id"])] = status

    def killer() -> None:
        wait_for(lambda: len(answered) >= 500, 60, "500 answers")
        os.kill(proc.pid, signal.SIGKILL)
        killed.set()

    threading.Thread(target=killer, daemon=True).start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, posted))
    proc.wait(timeout=30)
    assert killed.is_set() and proc.returncode == -signal.SIGKILL
    accepted = {k for k, v in answered.items() if v == 202}
    assert 500 <= len(accepted) < 1000
    ingest_webhook_spool(spool, warehouse, ["HDFCBK"], now=NOW)
    stored = _stored(warehouse)
    expected = {message_guid(f"i:{k}") for k in accepted}
    all_guids = {message_guid(f"i:{p['id']}") for p in posted}
    assert expected <= set(stored) <= all_guids  # every 202 stored; nothing never posted
    assert len(stored) == len(set(stored))
    # The app retries what got no answer; then every message is stored exactly once.
    proc, port = _start(spool)
    try:
        client = Client(port)
        for payload in posted:
            if answered.get(str(payload["id"])) != 202:
                assert client.post(payload)[0] in (200, 202)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    ingest_webhook_spool(spool, warehouse, ["HDFCBK"], now=NOW)
    stored = _stored(warehouse)
    assert sorted(stored) == sorted(all_guids)
    assert (spool / SPOOL_FILE).read_bytes() == b""


def _stored(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [g for (g,) in con.execute("SELECT guid FROM sms_messages").fetchall()]


def _chunked_post(port: int, data: bytes, piece: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        chunks = (data[i : i + piece] for i in range(0, len(data), piece))
        connection.request(
            "POST",
            "/sms",
            body=chunks,
            headers={"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked"},
            encode_chunked=True,
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_chunked_body_is_read_and_held_to_8_kb(tmp_path: Path) -> None:
    # Incoming SMS to URL forwarder sends chunked bodies for rules made in its older default.
    spool = tmp_path / "sms-spool"
    with running(spool) as client:
        assert _chunked_post(client.port, json.dumps(plain(1)).encode(), 50) == 202
        assert (
            _chunked_post(client.port, json.dumps(plain(2, body="y" * 9000)).encode(), 1000) == 413
        )
    assert spooled(spool) == ["i:m1"]


@pytest.mark.parametrize("chunked", [True, False])
def test_an_oversized_body_is_read_to_its_end_before_the_connection_closes(
    tmp_path: Path, chunked: bool
) -> None:
    # A forwarder writes its whole body before it reads the answer. A server that answers 413
    # at 8 KB and closes with the rest unread leaves the sender writing into a closed
    # connection: the reset that follows loses the 413 (the forwarder reports a network error
    # and retries). Here the rest is sent once the 413 is out, a piece per write, to the server
    # in a process of its own (in this one, it would share the interpreter with the sender).
    piece = b"y" * 1000
    # Answered once 8 KB of chunks are in, or at once for a Content-Length over 8 KB.
    if chunked:
        framing, pieces = "Transfer-Encoding: chunked", [b"%x\r\n%s\r\n" % (1000, piece)] * 60
        pieces.append(b"0\r\n\r\n")
        first = 9
    else:
        framing, pieces, first = "Content-Length: 60000", [piece] * 60, 0
    proc, port = _start(tmp_path / "sms-spool")
    try:
        # Whether the reset beats the sender depends on timing: three senders, each must pass.
        for _ in range(3):
            received = _send_in_two(port, framing, pieces, first)
            assert received.split(b"\r\n", 1)[0].split()[1] == b"413"
            assert received.endswith(b'bytes"}\n')  # the whole answer, its JSON body included
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _send_in_two(port: int, framing: str, pieces: list[bytes], first: int) -> bytes:
    """The request's head and first pieces, then (the 413 arrived) the rest; what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (
            f"POST /sms HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{framing}\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n\r\n"
        ).encode()
        sock.sendall(head + b"".join(pieces[:first]))
        while len(status := sock.recv(12, socket.MSG_PEEK)) < 12:  # waits for the answer
            pass
        assert status.endswith(b" 413")
        for part in pieces[first:]:
            sock.sendall(part)
        received = b""
        while part := sock.recv(65536):  # the answer, then the server's close
            received += part
    return received


def test_a_host_in_allowed_hosts_is_served_behind_a_proxy(tmp_path: Path) -> None:
    spool = tmp_path / "sms-spool"
    server = WebhookServer(spool, 0, TOKEN, ("sms.example.ts.net",), IST)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        client = Client(server.server_address[1])
        # What a TLS reverse proxy in front sends: its own name, on its own port.
        assert client.post(plain(1), headers={"Host": "sms.example.ts.net:443"})[0] == 202
        assert client.post(plain(2), headers={"Host": "other.example.ts.net"})[0] == 421
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert spooled(spool) == ["i:m1"]
