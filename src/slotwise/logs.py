"""Logging setup: one line per record, level from the settings."""

import logging

from slotwise.settings import Settings


def configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("slotwise").setLevel(settings.log_level.upper())
