"""What one ``loopguard check`` run is told, settled once: the command line over
``[tool.loopguard]``. The command builds it from its arguments and hands it down; the run, the
cache key and the report read it, never the argparse namespace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from ...core.config import Config
from ..selection import Selection
from ..settings import Settings
from .formats import ReportFormat


@dataclass(frozen=True)
class ReportOptions:
    """How the findings are reported, and against which baseline."""

    format: ReportFormat
    output_file: Optional[Path]  # None: stdout
    statistics: bool
    exit_zero: bool
    baseline: Optional[Path]  # report only the findings it does not hold
    write_baseline: Optional[Path]  # record the findings there instead of reporting them


@dataclass(frozen=True)
class CheckOptions:
    settings: Settings
    paths: Tuple[str, ...]  # as given; ``.`` when none was
    diff_against: Optional[str]  # report only the files changed since this git revision
    verbose: bool
    jobs: Optional[int]  # None: as many processes as the work pays for
    cache_dir: Optional[Path]  # None: no cache
    report: ReportOptions
    # Derived from the settings once, for the whole run.
    config: Config  # the engine's
    selection: Selection  # flake8's select/ignore decision
    whole_project: bool  # whether a whole-project rule may be reported
