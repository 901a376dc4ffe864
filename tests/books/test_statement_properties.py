"""Generated statement lines written in every layout by the shared writer read back equal."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assets.books.statements import BUILTIN_LAYOUTS, Layout, StatementLine, read_statement
from assets.books.statements.configured import layout_from_config
from assets.books.statements.writer import write_statement

SIGNED = layout_from_config(
    0,
    {
        "name": "signed",
        "bank": "YES",
        "date": "Posted",
        "description": "Details",
        "amount": "Amount",
        "balance": "Balance",
        "date_format": "%Y-%m-%d",
        "delimiter": ";",
    },
)
LAYOUTS = (*BUILTIN_LAYOUTS, SIGNED)

# Descriptions as banks print them: words, slashes, dashes, @ and commas (quoted by the
# writer), never a cell that could pass for a summary or an empty one.
_WORD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-@.,*", min_size=1, max_size=12)
_DESCRIPTION = st.lists(_WORD, min_size=1, max_size=5).map(lambda ws: "UPI/" + " ".join(ws))
_CENTS = st.integers(min_value=1, max_value=99_99_99_999_99)  # up to ₹99,99,99,999.99


@st.composite
def statement(draw: st.DrawFn, layout: Layout) -> list[StatementLine]:
    count = draw(st.integers(min_value=1, max_value=25))
    start = draw(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2060, 12, 1)))
    lines = []
    for index in range(count):
        day = start + dt.timedelta(days=draw(st.integers(0, 30)))
        value_day = day + dt.timedelta(days=draw(st.integers(0, 2)))
        amount = Decimal(draw(_CENTS)) / 100 * draw(st.sampled_from((1, -1)))
        balance = Decimal(draw(_CENTS)) / 100 * (draw(st.sampled_from((1, -1))))
        reference = draw(st.none() | st.from_regex(r"[A-Z]{0,4}[0-9]{4,16}", fullmatch=True))
        lines.append(
            StatementLine(
                bank=layout.bank,
                account_tail="1276",
                date=day,
                value_date=value_day if layout.value_date else None,
                description=draw(_DESCRIPTION),
                reference=reference if layout.reference else None,
                amount=amount,
                balance=balance if layout.balance else None,
                position=5 + index,  # after the preamble's three rows and the header (row 4)
                layout=layout.name,
            )
        )
    return lines


@settings(max_examples=60, deadline=None)
@given(data=st.data(), layout=st.sampled_from(LAYOUTS))
def test_lines_written_in_a_layout_read_back_equal(data: st.DataObject, layout: Layout) -> None:
    lines = data.draw(statement(layout))
    with tempfile.TemporaryDirectory() as folder:
        path = write_statement(
            Path(folder) / "statement.csv", layout, lines, account_number="5010 0012 341276"
        )
        got, errors = read_statement(path, [SIGNED, *BUILTIN_LAYOUTS])
    assert errors == []
    assert got == lines
