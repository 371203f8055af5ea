"""What every rule is made of, and the registry the engine and the docs read."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from typing import ClassVar, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Type, Union

from ..config import Config
from ..findings import Finding
from ..model import CallSite, Module, Scope
from ..project_facts import CrossModuleChain, ProjectFacts


def chain_text(chain: Union[CrossModuleChain, Sequence[str]]) -> str:
    """``worker() -> fetch_sync()``: the functions of a chain of calls, as messages name them."""
    functions = chain.functions if isinstance(chain, CrossModuleChain) else chain
    return " -> ".join(f"{name}()" for name in functions)


def example(code: str) -> str:
    """An example written indented under its rule, as the source it stands for."""
    return textwrap.dedent(code).lstrip("\n")


class Rule:
    """A rule owns its code, message, documentation and examples.

    The class docstring is the documentation: a one-line summary, then
    ``Why:`` and ``Fix:`` paragraphs. ``invalid[0]`` and ``valid[0]`` are the
    documented bad and good examples; every example is also a test.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    # Needs the whole project at once: reported by `loopguard check`'s project pass only.
    project_wide: ClassVar[bool] = False
    # The `loopguard migrate` codemods that fix the finding (where they understand the code).
    codemods: ClassVar[Tuple[str, ...]] = ()
    invalid: ClassVar[List[str]] = []
    valid: ClassVar[List[str]] = []

    def check(self, module: Module) -> Iterator[Finding]:
        raise NotImplementedError

    def check_project(self, project: ProjectFacts) -> Iterator[Tuple[str, Finding]]:
        """(path, finding) that only the whole project shows (``loopguard check``'s project pass)."""
        return iter(())

    def report(self, at: Union[CallSite, ast.AST], scope: Optional[Scope] = None, **details: str) -> Finding:
        """A finding at a call site, or at a node of ``scope`` (a ``def`` line, a decorator)."""
        call, in_coroutine = "", False
        if isinstance(at, CallSite):
            node, scope = at.node, at.scope
            call = at.qualified or (".".join(at.parts) if at.parts else at.function_name)
            in_coroutine = at.in_coroutine
        else:
            node = at
        context = scope.qualified_name if scope is not None else ""
        return Finding(
            node.lineno,
            node.col_offset,
            self.code,
            self.message.format(**details),
            context,
            call,
            in_coroutine,
            getattr(node, "end_lineno", None) or node.lineno,
            getattr(node, "end_col_offset", None) or 0,
        )

    # ----- documentation ---------------------------------------------------

    @classmethod
    def doc_sections(cls) -> Dict[str, str]:
        """``summary``, ``why`` and ``fix`` from the docstring."""
        text = inspect.cleandoc(cls.__doc__ or "")
        summary, _, rest = text.partition("\n\n")
        sections = {"summary": " ".join(summary.split())}
        for label, body in re.findall(r"^(Why|Fix):\s*(.*?)(?=^\w+:|\Z)", rest, flags=re.S | re.M):
            body = " ".join(body.split())
            sections[label.lower()] = body[:1].upper() + body[1:]
        return sections


RULES: Dict[str, Rule] = {}


def register(rule_class: Type[Rule]) -> Type[Rule]:
    RULES[rule_class.code] = rule_class()
    return rule_class


def all_rules() -> List[Rule]:
    return [RULES[code] for code in sorted(RULES)]


def project_rules() -> List[Rule]:
    """The rules with a whole-project check (LG107, and LG401/LG102/LG103 across modules)."""
    return [rule for rule in all_rules() if type(rule).check_project is not Rule.check_project]


def enabled_rules(config: Config) -> List[Rule]:
    """Rules on by default, plus the opt-in rules the configuration selects."""
    return [rule for rule in all_rules() if rule.default_enabled or config.selects_opt_in(rule.code)]


def findings_of(rules: Iterable[Rule], module: Module) -> List[Finding]:
    found: List[Finding] = []
    for rule in rules:
        found.extend(rule.check(module))
    found.sort()
    return found
