"""What makes `homeclerk serve` always-on on each system: the launchd LaunchAgent (with its lint
and the Full Disk Access launcher) on macOS, the systemd user unit on Linux."""
