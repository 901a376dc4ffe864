"""Statement files in each bank's layout, written here from the public descriptions of the
banks' downloads (docs/statements.md), read back into plain lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from assets.books.statements import BUILTIN_LAYOUTS, identify, read_statement
from assets.books.statements.values import ValueProblem, parse_amount

D = Decimal

# HDFC netbanking "Delimited" download: space-padded fields, 0.00 in the unused amount column,
# the bank's summary after a blank row.
HDFC_DELIMITED = (
    "HDFC BANK Ltd.\n"
    "Account No :50100012341276   \n"
    "\n"
    " Date     ,Narration                                  ,Value Dat,Debit Amount       "
    ",Credit Amount      ,Chq/Ref Number   ,Closing Balance\n"
    " 03/02/25 ,UPI-SWIGGY-SWIGGY.ORDER@ICICI-603412345678  ,03/02/25 ,           450.00  "
    ",             0.00  ,0000603412345678 ,       123456.78\n"
    " 05/02/25 ,NEFT CR-ACME CORP-SALARY FEB               ,06/02/25 ,             0.00  "
    ",        120000.00  ,0000000000511950 ,       243456.78\n"
    "\n"
    "\n"
    "STATEMENT SUMMARY :-\n"
    "Opening Balance,Dr Count,Cr Count,Debits,Credits,Closing Bal\n"
    '"1,23,906.78",1,1,450.00,"1,20,000.00","2,43,456.78"\n'
)

HDFC_CSV = (
    "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance\n"
    '15/01/24,AWS SERVICES,UPI/123456,15/01/24,"3,500.00",,"4,50,000.00"\n'
    '16/01/24,INTEREST PAID,,16/01/24,,12.00,"4,50,012.00"\n'
    ",,,,,,\n"
)

SBI_TABS = (
    "Account Name\t:Mr. A B\n"
    "Account Number\t:00000031234567890\n"
    "\n"
    "Txn Date\tValue Date\tDescription\tRef No./Cheque No.\tDebit\tCredit\tBalance\n"
    "1 Sep 2025\t1 Sep 2025\tTO TRANSFER-UPI/DR/510123456789/RAMESH\tTRANSFER TO 4897\t"
    "250.00\t \t9,750.00\n"
    "2 Sep 2025\t2 Sep 2025\tBY TRANSFER-NEFT*HDFC0000123*N123456789\tTRANSFER FROM 1234\t"
    " \t1,000.00\t10,750.00\n"
    "**This is a computer generated statement and does not require a signature.\n"
)

AXIS_CLASSIC = (
    "Statement of Axis Account No :911010025601581 for the period (From : 01-08-2025 To : "
    "31-08-2025)\n"
    "Tran Date,CHQNO,PARTICULARS,DR,CR,BAL,SOL\n"
    "01-08-2025,,ACH-DR-Indian Clearing Corp,3000.00,,113395.71,248\n"
    "03-08-2025,,CreditCard Payment XX 9594,,25000.00,138395.71,248\n"
    ",,TRANSACTION TOTAL,3000.00,25000.00,,\n"
)

AXIS_DETAILED = (
    "Name :- A B .\n"
    "Statement of Account No - 922030048910705 for the period (From : 01/08/2025 To : "
    "03/08/2025)\n"
    "S.No,Transaction Date (dd/mm/yyyy),Value Date (dd/mm/yyyy),Particulars,Amount(INR),"
    "Debit/Credit,Balance(INR),Cheque Number,Branch Name(SOL)\n"
    '1,,,OPENING BALANCE,,,"77,65,682.30",,FARIDABAD\n'
    '2,01/08/2025,01/08/2025,NEFT/HDFCH00395034887/MARUTI SUZUKI,"\t7,560.00",CR,'
    '"77,73,242.30",,"FARIDABAD (248) "\n'
    '3,02/08/2025,02/08/2025,UPI/P2M/512345678901/CRED Club,"20,000.00",DR,"77,53,242.30",'
    "512345678901,FARIDABAD\n"
)

KOTAK = (
    '"",,Account Statement\n'
    '"",,,,Account No.,0123456789\n'
    '"",,,,Period,From 01/08/2025 To 31/08/2025\n'
    "Sl. No.,Transaction Date,Value Date,Description,Chq / Ref No.,Amount,Dr / Cr,Balance,"
    "Dr / Cr\n"
    "1,06-08-2025 22:04:25,06-08-2025,BILL PAID TO CREDIT CARD XX0488,CCBILL-178076,500.00,DR,"
    '"1,500.00",DR\n'
    '2,07-08-2025 10:00:00,07-08-2025,UPI/Nikhil/615762270582/UPI,UPI-615719,"2,000.46",CR,'
    "500.46,CR\n"
)

ICICI_CSV = (
    "Value Date,Transaction Date,Cheque Number,Transaction Remarks,Withdrawal Amount (INR),"
    "Deposit Amount (INR),Balance (INR)\n"
    "15/01/2024,15/01/2024,,PAYMENT TO AWS SERVICES,3500.00,,450000.00\n"
    "17/01/2024,16/01/2024,-,SALARY,,50000.00,500000.00\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_hdfc_delimited_text_with_padding_and_the_summary(tmp_path: Path) -> None:
    path = _write(tmp_path, "hdfc.txt", HDFC_DELIMITED)
    lines, errors = read_statement(path)
    assert errors == []
    assert [(x.layout, x.bank, x.account_tail) for x in lines] == [
        ("hdfc_delimited", "HDFC", "1276")
    ] * 2
    first, second = lines
    assert first.date == dt.date(2025, 2, 3) and first.amount == D("-450.00")
    assert first.reference == "0000603412345678" and first.balance == D("123456.78")
    assert first.description == "UPI-SWIGGY-SWIGGY.ORDER@ICICI-603412345678"
    assert (second.amount, second.value_date, second.position) == (
        D("120000.00"),
        dt.date(2025, 2, 6),
        6,
    )


def test_hdfc_csv_layout_blank_trailing_rows_and_no_account_number(tmp_path: Path) -> None:
    lines, errors = read_statement(_write(tmp_path, "hdfc.csv", HDFC_CSV))
    assert errors == []
    assert [(x.layout, x.amount, x.reference, x.account_tail) for x in lines] == [
        ("hdfc", D("-3500.00"), "UPI/123456", None),
        ("hdfc", D("12.00"), None, None),
    ]
    assert lines[1].balance == D("450012.00")


def test_sbi_tab_separated_with_month_names_and_a_signature_footer(tmp_path: Path) -> None:
    lines, errors = read_statement(_write(tmp_path, "sbi.xls.txt", SBI_TABS))
    assert errors == []
    assert [(x.layout, x.date, x.amount, x.balance) for x in lines] == [
        ("sbi", dt.date(2025, 9, 1), D("-250.00"), D("9750.00")),
        ("sbi", dt.date(2025, 9, 2), D("1000.00"), D("10750.00")),
    ]
    assert lines[0].account_tail == "7890" and lines[0].reference == "TRANSFER TO 4897"


def test_axis_classic_and_detailed_layouts_skip_opening_balance_and_totals(tmp_path: Path) -> None:
    classic, errors = read_statement(_write(tmp_path, "axis.csv", AXIS_CLASSIC))
    assert errors == []
    assert [(x.layout, x.amount, x.account_tail) for x in classic] == [
        ("axis", D("-3000.00"), "1581"),
        ("axis", D("25000.00"), "1581"),
    ]
    detailed, errors = read_statement(_write(tmp_path, "axis2.csv", AXIS_DETAILED))
    assert errors == []
    assert [(x.layout, x.amount, x.balance, x.reference) for x in detailed] == [
        ("axis_detailed", D("7560.00"), D("7773242.30"), None),
        ("axis_detailed", D("-20000.00"), D("7753242.30"), "512345678901"),
    ]
    assert detailed[0].account_tail == "0705" and detailed[0].position == 5


def test_kotak_repeats_dr_cr_for_the_balance_and_prints_times(tmp_path: Path) -> None:
    lines, errors = read_statement(_write(tmp_path, "kotak.csv", KOTAK))
    assert errors == []
    assert [(x.date, x.amount, x.balance, x.reference) for x in lines] == [
        (dt.date(2025, 8, 6), D("-500.00"), D("-1500.00"), "CCBILL-178076"),
        (dt.date(2025, 8, 7), D("2000.46"), D("500.46"), "UPI-615719"),
    ]
    assert {x.layout for x in lines} == {"kotak"} and lines[0].account_tail == "6789"


def test_an_opening_balance_row_or_a_page_footer_does_not_end_the_table(tmp_path: Path) -> None:
    text = SBI_TABS.replace(
        "Balance\n", "Balance\nOpening Balance\t\t\t\t\t\t10,000.00\n", 1
    ).replace("\n2 Sep", "\n**This is a computer generated statement (page 1)\n2 Sep", 1)
    lines, errors = read_statement(_write(tmp_path, "sbi.txt", text))
    assert errors == [] and [x.date.day for x in lines] == [1, 2]


def test_icici_csv_columns(tmp_path: Path) -> None:
    lines, errors = read_statement(_write(tmp_path, "icici.csv", ICICI_CSV))
    assert errors == []
    assert [(x.layout, x.date, x.value_date, x.amount, x.reference) for x in lines] == [
        ("icici", dt.date(2024, 1, 15), dt.date(2024, 1, 15), D("-3500.00"), None),
        ("icici", dt.date(2024, 1, 16), dt.date(2024, 1, 17), D("50000.00"), None),
    ]


def test_every_layout_is_told_by_its_own_header(tmp_path: Path) -> None:
    files = {
        "hdfc_delimited": HDFC_DELIMITED,
        "hdfc": HDFC_CSV,
        "sbi": SBI_TABS,
        "axis": AXIS_CLASSIC,
        "axis_detailed": AXIS_DETAILED,
        "kotak": KOTAK,
        "icici": ICICI_CSV,
        "icici_card": ICICI_CARD,
    }
    assert set(files) == {layout.name for layout in BUILTIN_LAYOUTS}
    for name, text in files.items():
        found = identify(_write(tmp_path, f"{name}.csv", text))
        assert found is not None and found.name == name


def test_bad_rows_are_errors_naming_file_row_and_problem_and_the_rest_still_read(
    tmp_path: Path,
) -> None:
    text = (
        "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance\n"
        "15/01/24,GOOD ONE,,15/01/24,100.00,,900.00\n"  # row 2
        "32/01/24,BAD DATE,,15/01/24,100.00,,800.00\n"  # row 3
        "16/01/24,BAD AMOUNT,,16/01/24,12O.00,,700.00\n"  # row 4
        "17/01/24,BOTH SIDES,,17/01/24,10.00,20.00,700.00\n"  # row 5
        "18/01/24,NO AMOUNT,,18/01/24,,,700.00\n"  # row 6
        "19/01/24,BAD BALANCE,,19/01/24,5.00,,seven\n"  # row 7
        "20/01/24,GOOD TWO,,20/01/24,,50.00,745.00\n"  # row 8
    )
    path = _write(tmp_path, "mixed.csv", text)
    lines, errors = read_statement(path)
    assert [(x.description, x.position) for x in lines] == [("GOOD ONE", 2), ("GOOD TWO", 8)]
    assert [(e.file, e.row) for e in errors] == [(str(path), row) for row in (3, 4, 5, 6, 7)]
    problems = [e.problem for e in errors]
    assert "Date: '32/01/24' is not a date" in problems[0]
    assert "Withdrawal Amt.: '12O.00' is not an amount" in problems[1]
    assert "both 'Withdrawal Amt.' and 'Deposit Amt.' hold an amount" in problems[2]
    assert "no amount in 'Withdrawal Amt.' or 'Deposit Amt.'" in problems[3]
    assert "Closing Balance: 'seven' is not an amount" in problems[4]
    assert str(errors[0]).startswith(f"{path}, row 3: ")


def test_a_row_wider_than_the_header_is_an_error_not_a_misread_balance(tmp_path: Path) -> None:
    # An unquoted "1,23,456.78" in a comma file spreads over three cells: reading the first
    # of them as the balance would be a wrong number, silently.
    bad = HDFC_CSV.replace(',"4,50,000.00"', ",4,50,000.00", 1)
    lines, errors = read_statement(_write(tmp_path, "hdfc.csv", bad))
    assert [x.position for x in lines] == [3]
    assert [(e.row, e.problem) for e in errors] == [
        (2, "has 9 cells where the header has 7 (an amount with unquoted commas?)")
    ]


def test_a_direction_that_is_neither_dr_nor_cr_is_an_error(tmp_path: Path) -> None:
    bad = KOTAK.replace("500.00,DR,", "500.00,XX,", 1)
    lines, errors = read_statement(_write(tmp_path, "kotak.csv", bad))
    assert [x.position for x in lines] == [6]
    assert [(e.row, e.problem) for e in errors] == [(5, "'Dr / Cr' is 'xx', not DR or CR")]


def test_an_unknown_file_names_every_header_looked_for_and_the_setting(tmp_path: Path) -> None:
    path = _write(tmp_path, "other.csv", "When,What,How much\n01/01/2025,Tea,20\n")
    lines, errors = read_statement(path)
    assert lines == [] and len(errors) == 1
    message = str(errors[0])
    assert message.startswith(f"{path}: no known statement layout: looked for ")
    for layout in BUILTIN_LAYOUTS:
        assert f"{layout.bank}'s '" in message
    assert "HDFC's 'Date, Narration, Chq./Ref.No." in message
    assert "SBI's 'Txn Date, Value Date, Description" in message
    assert "configure [[books.statement_formats]]" in message
    assert identify(path) is None


def test_a_pdf_or_a_damaged_workbook_is_one_error_saying_what_it_is(tmp_path: Path) -> None:
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    lines, errors = read_statement(pdf)
    assert lines == [] and "not a statement homeclerk reads (a PDF or XLSX?" in errors[0].problem
    damaged = tmp_path / "statement.xls"
    damaged.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    lines, errors = read_statement(damaged)
    assert lines == [] and errors[0].problem.startswith("cannot be read as an .xls workbook")
    assert identify(damaged) is None


def test_a_missing_file_is_one_error_not_an_exception(tmp_path: Path) -> None:
    lines, errors = read_statement(tmp_path / "gone.csv")
    assert lines == [] and errors[0].row == 0 and "cannot be read" in errors[0].problem


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,23,456.78", D("123456.78")),
        ("₹ 1,23,456.78", D("123456.78")),
        ("Rs. 500", D("500")),
        ("1,200.00 Dr", D("-1200.00")),
        ("1,200.00Cr", D("1200.00")),
        ("-75.50", D("-75.50")),
        ("(1,000.00)", D("-1000.00")),
        ("INR 12,34,56,789.01", D("123456789.01")),
    ],
)
def test_amounts_as_statements_print_them(text: str, value: Decimal) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["12O.00", "1.2.3", "(5.00", "Dr", "", "5 apples"])
def test_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueProblem, match="is not an amount"):
        parse_amount(text)


# ICICI credit card CSV: the card number on its own row, "" for a charge and CR for a payment,
# a "MESSAGE Details:" block after the transactions.
ICICI_CARD = (
    '"Accountno:","0000000020241177"\n'
    '"Customer Name:","MR A B"\n'
    '"Address:","..."\n'
    "\n"
    '"Transaction Details:"\n'
    '"Date","Sr.No.","Transaction Details","Reward Point Header","Intl.Amount",'
    '"Amount(in Rs)","BillingAmountSign"\n'
    '"4315XXXXXXXX8008"\n'
    '"20/08/2025","11818656815","BBPS Payment received","0","0","29,999.00","CR"\n'
    '"14/07/2025","11615251915","IND*AMAZON HTTP://WWW.AM IN","1499","0","1,499.00",""\n'
    "\n"
    '"MESSAGE Details:"\n'
    '"SRNO,LAST_UPD_DT,MESSAGE"\n'
    '"1","2018-07-05 00:00:00.0","Safe Banking Tips"\n'
)


def test_an_icici_card_statement_takes_the_card_digits_and_its_sign_column(
    tmp_path: Path,
) -> None:
    lines, errors = read_statement(_write(tmp_path, "CreditCardStatement.CSV", ICICI_CARD))
    assert errors == []
    assert [(x.layout, x.account_tail, x.date, x.amount, x.reference) for x in lines] == [
        ("icici_card", "8008", dt.date(2025, 8, 20), D("29999.00"), "11818656815"),
        ("icici_card", "8008", dt.date(2025, 7, 14), D("-1499.00"), "11615251915"),
    ]


def test_an_older_icici_card_download_repeats_the_signed_amount(tmp_path: Path) -> None:
    text = (
        '"Date","Sr.No.","Transaction Details","Reward Point Header","Intl.Amount",'
        '"Amount(in Rs)","BillingAmountSign"\n'
        '"5123 XXXX XXXX 7788"\n'
        '"01-APR-24","1","DIGITALOCEAN.COM AMSTERDAM NL*","10","6.00","521.17","521.17"\n'
        '"02-APR-24","2","UPI Payment Received","0","0.00","-50.00","-50.00"\n'
    )
    lines, errors = read_statement(_write(tmp_path, "card.csv", text))
    assert errors == []
    assert [(x.account_tail, x.date, x.amount) for x in lines] == [
        ("7788", dt.date(2024, 4, 1), D("-521.17")),
        ("7788", dt.date(2024, 4, 2), D("50.00")),
    ]
