"""Bank statements read into plain lines (issue 22 §2): the layouts homeclerk knows, the
owner's own CSV layouts, one reader returning `(lines, errors)`, and a writer for the demo
and tests. Plain functions over plain data; beangulp importers wrap them in
`assets.books.statement_importer`."""

from .configured import StatementFormatError, layout_from_config
from .layouts import BUILTIN_LAYOUTS, Layout
from .model import StatementError, StatementLine
from .reader import identify, read_statement

__all__ = [
    "BUILTIN_LAYOUTS",
    "Layout",
    "StatementError",
    "StatementFormatError",
    "StatementLine",
    "identify",
    "layout_from_config",
    "read_statement",
]
