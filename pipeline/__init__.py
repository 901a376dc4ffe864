"""HOW and WHEN homeclerk runs: settings, Definitions, schedules, sensors and the CLI."""
