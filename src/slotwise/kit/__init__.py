"""Helpers that know no domain: they import nothing from slotwise outside `kit`."""
