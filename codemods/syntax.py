"""Small questions every codemod asks of libcst syntax, each answered once.

They read the tree as written (names as spelled, statements as laid out); what a name refers
to is the linter's business (the findings), or libcst's metadata providers'.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, List, Optional, Sequence, Set, Union

import libcst as cst


def dotted(node: cst.CSTNode) -> str:
    """``a.b.c`` for a name or a chain of attributes on a name; ``""`` for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


def own_name(node: cst.CSTNode) -> str:
    """The name a name or an attribute ends with (``f`` for ``f``, ``x().f``); ``""`` otherwise."""
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def code_of(node: cst.CSTNode) -> str:
    """The source text of a node, as it would be written on its own."""
    return cst.Module(body=[]).code_for_node(node)


def imported_modules(node: Union[cst.Import, cst.ImportFrom]) -> List[str]:
    """The modules an import statement names (``a.b`` for ``import a.b`` and ``from a.b import
    c``); none for a relative import."""
    if isinstance(node, cst.Import):
        return [dotted(alias.name) for alias in node.names]
    if node.module is None or node.relative:
        return []
    return [dotted(node.module)]


# ----- statements ----------------------------------------------------------------------------


def body_statements(node: Union[cst.ClassDef, cst.FunctionDef]) -> Sequence[cst.BaseStatement]:
    """The statements of a class or function body; none when the body is on the ``def`` line."""
    return node.body.body if isinstance(node.body, cst.IndentedBlock) else ()


def single_small_statement(statement: cst.BaseStatement) -> Optional[cst.BaseSmallStatement]:
    """The statement of a line that holds exactly one small statement (no ``;``), else None."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def is_docstring(statement: cst.BaseStatement) -> bool:
    """A string literal alone on its line."""
    small = single_small_statement(statement)
    return isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))


def docstring_text(statement: cst.BaseStatement) -> Optional[str]:
    """The text of a plain string literal alone on its line (not a byte string), else None."""
    small = single_small_statement(statement)
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
        value = small.value.evaluated_value
        return value if isinstance(value, str) else None
    return None


def assigned_targets(target: cst.BaseExpression) -> List[cst.BaseExpression]:
    """What an assignment target stores to, unpacked: ``a``, ``self.b`` and ``c[0]`` for
    ``a, (self.b, *c[0])``."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return [leaf for element in target.elements for leaf in assigned_targets(element.value)]
    if isinstance(target, cst.StarredElement):
        return assigned_targets(target.value)
    return [target]


# ----- functions -----------------------------------------------------------------------------


def instance_parameter(function: Optional[cst.FunctionDef]) -> Optional[str]:
    """The first parameter's name of a function that can be an instance method, else None
    (no function, no parameter, a ``staticmethod`` or ``classmethod``)."""
    if function is None:
        return None
    for decorator in function.decorators:
        if dotted(decorator.decorator) in ("staticmethod", "classmethod"):
            return None
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


def has_parameters(params: cst.Parameters) -> bool:
    return bool(
        params.params
        or params.posonly_params
        or params.kwonly_params
        or isinstance(params.star_arg, cst.Param)
        or params.star_kwarg
    )


def parameter_names(params: cst.Parameters) -> Set[str]:
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for special in (params.star_arg, params.star_kwarg):
        if isinstance(special, cst.Param):
            names.add(special.name.value)
    return names


# ----- what a subtree holds --------------------------------------------------------------------


def calls_in(*nodes: cst.CSTNode) -> List[cst.Call]:
    """Every call in the subtrees, in source order (nested scopes included)."""
    collector = _Calls()
    for node in nodes:
        node.visit(collector)
    return collector.calls


def functions_in(node: cst.CSTNode) -> List[cst.FunctionDef]:
    """The outermost function definitions in the subtree (``node`` itself when it is one)."""
    collector = _Functions()
    node.visit(collector)
    return collector.functions


def variable_names(nodes: Iterable[cst.CSTNode]) -> List[cst.Name]:
    """The names used as variables in the subtrees: read, assigned, defined or declared as
    parameters; not an attribute's own name (``x`` of ``obj.x``) nor an argument's keyword."""
    collector = _VariableNames()
    for node in nodes:
        node.visit(collector)
    return collector.names


def mentions_name(node: cst.CSTNode, name: str, ignoring: Optional[cst.CSTNode] = None) -> bool:
    """Whether ``name`` is written anywhere in the subtree, outside ``ignoring``: as a variable,
    an attribute (``obj.name``) or a keyword."""
    if ignoring is None:
        return _mentions_anywhere(node, name)
    finder = _Mention(name, ignoring)
    node.visit(finder)
    return finder.found


# Nodes are immutable and hashed by identity: the answer for a (class, name) holds for as long as
# the node lives, and every finding in a class asks it again (a whole-class visit each time).
@lru_cache(maxsize=256)
def _mentions_anywhere(node: cst.CSTNode, name: str) -> bool:
    finder = _Mention(name, None)
    node.visit(finder)
    return finder.found


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: List[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


class _Functions(cst.CSTVisitor):
    def __init__(self) -> None:
        self.functions: List[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.functions.append(node)
        return False


class _VariableNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: List[cst.Name] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)


class _Mention(cst.CSTVisitor):
    def __init__(self, name: str, ignoring: Optional[cst.CSTNode]) -> None:
        self.name = name
        self.ignoring = ignoring
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found or node is self.ignoring:
            return False
        if isinstance(node, cst.Name) and node.value == self.name:
            self.found = True
        return True


def comments_within(node: cst.CSTNode) -> List[cst.EmptyLine]:
    """Every comment inside ``node``, each as a line of its own (an end-of-line comment too), so
    that code a rewrite removes loses none of them."""
    collector = _Comments()
    node.visit(collector)
    return collector.lines


class _Comments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.lines: List[cst.EmptyLine] = []

    def visit_EmptyLine(self, node: cst.EmptyLine) -> None:
        if node.comment is not None:
            self.lines.append(node)

    def visit_TrailingWhitespace(self, node: cst.TrailingWhitespace) -> None:
        if node.comment is not None:
            self.lines.append(cst.EmptyLine(comment=node.comment))
