"""How the benchmarks run the ``handbook`` command: its command line and environment.

Shared by benchmarks/site.py, gobag.py and serve.py (which each import none of the others).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from benchmarks.validation import TODAY

# A fixed build date: SOURCE_DATE_EPOCH makes every build of one project the same.
EPOCH = int(dt.datetime.combine(TODAY, dt.time(), dt.UTC).timestamp())


def environment() -> dict[str, str]:
    """The environment of every measured process: reproducible, quiet, no PDFs in builds."""
    env = {k: v for k, v in os.environ.items() if k not in ("HANDBOOK_PDF", "HANDBOOK_AUDIENCE")}
    env.update(NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=str(EPOCH), PYTHONHASHSEED="0")
    return env


def handbook(project: Path, *arguments: str) -> list[str]:
    """The ``handbook`` command line on a project, with this interpreter."""
    return [sys.executable, "-m", "handbook.cli", "-C", str(project), *arguments]
