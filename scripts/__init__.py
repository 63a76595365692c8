"""Developer scripts run as modules (`uv run python -m scripts.NAME`)."""
