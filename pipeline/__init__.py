"""HOW homeclerk runs: the root Definitions, settings and resources, and the rooms cli/,
service/, platform/, doctor/ and demo/."""
