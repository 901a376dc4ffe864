"""The `homeclerk` command: one module per command group, `main` in `pipeline.cli.main`."""

from pipeline.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
