"""Power and battery: a sample a minute, outages, `feeds/power.json` and battery health."""
