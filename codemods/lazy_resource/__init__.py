"""The parts of the ``lazy_loop_resource`` codemod: what it looks up in the module
(:mod:`.facts`) and the edits that make a resource lazy (:mod:`.edits`). The codemod itself,
``loopguard_codemods.lazy_loop_resource``, plans each resource and schedules the edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

import libcst as cst

from flake8_loopguard.core.findings import Finding


class LeftForHuman(Exception):
    """Raised while planning one attribute: the reason it is left as it is."""


@dataclass
class AttributePlan:
    """How one ``self.<attribute> = Factory(...)`` of ``__init__`` becomes lazy."""

    attribute: str
    findings: List[Finding]
    statement: cst.SimpleStatementLine  # the assignment in __init__
    constructor: cst.Call  # moved into the ensure method, parameters mapped to attributes
    ensure_name: str
    receiver: str  # the instance parameter's name in __init__
    init_index: int  # where __init__ is in the class body
    # coroutine methods that use the resource (close() included): each awaits the ensure method first
    users: List[cst.FunctionDef] = field(default_factory=list)
