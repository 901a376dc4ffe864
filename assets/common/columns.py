"""Python values → columns DuckDB scans in place: NumPy arrays, a dict of them registered as one
view (`con.register(name, {column: array})`).

A bulk write (a first ingest, a first derive) hands DuckDB ~100,000 rows. NumPy alone does it
without pandas, which the run would otherwise import for this only (~0.3 s, ~50 MB resident,
against ~0.1 s for NumPy); building the arrays is a C-level copy of each list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def text_column(values: Sequence[str | None]) -> np.ndarray:
    """Strings and None as an object array: DuckDB reads it as VARCHAR (None as NULL; a column
    of only None as NULL, which an INSERT casts to the column's type)."""
    import numpy as np  # loaded by the run that writes, not the code server

    return np.fromiter(values, dtype=object, count=len(values))


def int_column(values: Sequence[int]) -> np.ndarray:
    """Integers as BIGINT."""
    import numpy as np

    return np.fromiter(values, dtype=np.int64, count=len(values))


def bool_column(values: Sequence[bool]) -> np.ndarray:
    """Booleans as BOOLEAN."""
    import numpy as np

    return np.fromiter(values, dtype=np.bool_, count=len(values))
