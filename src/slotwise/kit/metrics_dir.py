"""The directory where a multi-process server's processes keep their metrics.

Apart from `kit.metrics` because it must run before prometheus-client is imported: the client
picks file-backed values at import when `PROMETHEUS_MULTIPROC_DIR` is set, and the server's
worker processes inherit the variable (and, when forked, the imported modules).
"""

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def too_late() -> bool:
    """Whether this process imported the metrics client already (then its forked workers would
    keep their values to themselves, whatever the variable says)."""
    return "prometheus_client" in sys.modules


@contextmanager
def multiprocess_dir(environ: MutableMapping[str, str] = os.environ) -> Iterator[str]:
    """`PROMETHEUS_MULTIPROC_DIR` for the processes started inside: the configured directory,
    emptied of an earlier run's files (counters would go on from them), or a new temporary one,
    removed at the end."""
    given = environ.get(MULTIPROC_DIR)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        yield given
        return
    made = tempfile.mkdtemp(prefix="slotwise-metrics-")
    environ[MULTIPROC_DIR] = made
    try:
        yield made
    finally:
        environ.pop(MULTIPROC_DIR, None)
        shutil.rmtree(made, ignore_errors=True)
