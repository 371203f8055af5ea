"""The parts of the ``lazy_loop_resource`` codemod: what it looks up in the module
(:mod:`.facts`) and the edits that make a resource lazy (:mod:`.edits`). The codemod itself,
``loopguard_codemods.lazy_loop_resource``, plans each resource and schedules the edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst

from flake8_loopguard.core.findings import Finding


class LeftForHuman(Exception):
    """Raised while planning one attribute: the reason it is left as it is."""


@dataclass
class AttributePlan:
    """How one ``self.<attribute> = Factory(...)`` of ``__init__`` (or ``_attribute = Factory(...)``
    of a class body) becomes lazy."""

    attribute: str
    findings: List[Finding]
    statement: cst.SimpleStatementLine  # the assignment in __init__ (or the class body)
    constructor: cst.Call  # moved into the ensure method, parameters mapped to attributes
    ensure_name: str
    receiver: str  # the instance parameter's name in __init__ (the class's name for a class attribute)
    init_index: int  # where __init__ (or the class attribute's statement) is in the class body
    # coroutine methods that use the resource (close() included): each awaits the ensure method first
    users: List[cst.FunctionDef] = field(default_factory=list)
    # A class attribute built in the class body (LG302): the class that holds it, which every
    # instance (and subclass) reads it from; None for an instance attribute of __init__.
    shared_by: Optional[str] = None
    # Its close method, registered with the runtime's shutdown sequence (a class attribute only).
    close_method: Optional[str] = None
