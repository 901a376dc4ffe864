"""Backups that restore: nightly snapshots of the warehouse, the instance, the books and the
settings, each with a manifest of sizes and SHA-256, pruned by a daily/weekly/monthly rule."""
