"""First-run setup and the mine's own settings: its names, time zone and public address."""
