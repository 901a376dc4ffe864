"""`homeclerk serve`: the supervisor, its children (code server, UI + daemon, Fava, the feed
server, the chat.db watcher), what keeps them one per folder and safe (Host check, single
instance), and the upkeep of the Dagster instance they share (runs, storage, maintenance)."""
