"""How ``loopguard check`` prints its findings: ``text``, ``json``, ``sarif`` and ``github``.

Every format renders the same list of :class:`Located` findings, in the order given. The rule
catalog and the fingerprints are imported by the formats that use them: a text report (and a
run the cache answers) does not load the rules, the model or the baseline.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Union

from ... import __version__
from .located import Located

if TYPE_CHECKING:
    from ...core.rules import Rule

PROJECT_URL = "https://github.com/flake8-loopguard/flake8-loopguard"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# The SARIF partialFingerprints key; bump the suffix if the fingerprint recipe ever changes.
SARIF_FINGERPRINT_KEY = "loopguardFingerprint/v1"
# GitHub resolves "%SRCROOT%" to the checkout root, which is where the command runs in CI.
SARIF_SOURCE_ROOT = "%SRCROOT%"


def rule_help_url(code: str) -> str:
    """A rule's entry in the rule reference, docs/rules.md."""
    return f"{PROJECT_URL}/blob/main/docs/rules.md#{code.lower()}"


# ----- text -----------------------------------------------------------------


def render_text(located: Sequence[Located]) -> str:
    """flake8's default format, ``path:line:col: CODE message`` with a 1-based column."""
    return "".join(
        f"{item.path}:{item.finding.line}:{item.finding.col + 1}: {item.finding.code} {item.finding.message}\n"
        for item in located
    )


# ----- json -----------------------------------------------------------------


def render_json(located: Sequence[Located]) -> str:
    """A JSON array with one object per finding; the fields are documented in docs/check.md."""
    from ...core.rules import RULES
    from .baseline import normalized_path, occurrence_fingerprints

    objects = []
    for item, fingerprint in zip(located, occurrence_fingerprints(located)):
        finding = item.finding
        rule = RULES.get(finding.code)
        objects.append(
            {
                "path": normalized_path(item.path),
                "line": finding.line,
                "column": finding.col + 1,
                "code": finding.code,
                "rule": rule.name if rule is not None else None,
                "message": finding.message,
                "context": finding.context,
                "line_text": item.line_text,
                "fingerprint": fingerprint,
                "url": rule_help_url(finding.code) if rule is not None else None,
            }
        )
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


# ----- sarif ----------------------------------------------------------------


def _sarif_rule(rule: Rule) -> Dict[str, object]:
    from ..rule_docs import rule_text

    sections = rule.doc_sections()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": sections["summary"]},
        "fullDescription": {"text": sections["why"]},
        "help": {"text": rule_text(rule)},
        "helpUri": rule_help_url(rule.code),
        # Every finding fails the gate, opt-in rules included once they are selected.
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["asyncio", "correctness"]},
    }


def _checkout_path(path: str) -> Optional[str]:
    """``path`` relative to the directory the command runs in (the checkout root in CI), as POSIX.

    ``None`` for an absolute path outside it.
    """
    from .baseline import normalized_path

    if not PurePath(path).is_absolute():
        return normalized_path(path)
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return None


def _sarif_artifact_location(path: str) -> Dict[str, str]:
    from urllib.parse import quote

    relative = _checkout_path(path)
    if relative is None:
        return {"uri": Path(path).resolve().as_uri()}
    return {"uri": quote(relative, safe="/"), "uriBaseId": SARIF_SOURCE_ROOT}


def render_sarif(located: Sequence[Located]) -> str:
    """One SARIF 2.1.0 run, as GitHub code scanning reads it: the whole rule catalog, then the results."""
    from ...core.rules import all_rules
    from .baseline import occurrence_fingerprints

    catalog = all_rules()
    rules = [_sarif_rule(rule) for rule in catalog]
    index_of = {rule.code: index for index, rule in enumerate(catalog)}
    results = []
    for item, fingerprint in zip(located, occurrence_fingerprints(located)):
        finding = item.finding
        if finding.code not in index_of:
            # A code outside the catalog (a file that does not parse) still needs a rule to point at.
            index_of[finding.code] = len(rules)
            rules.append({"id": finding.code, "defaultConfiguration": {"level": "error"}})
        # SARIF lines and columns start at 1; an error with no position (line 0) points at the file's start.
        region: Dict[str, object] = {"startLine": max(finding.line, 1), "startColumn": max(finding.col + 1, 1)}
        if item.line_text:
            region["snippet"] = {"text": item.line_text}
        results.append(
            {
                "ruleId": finding.code,
                "ruleIndex": index_of[finding.code],
                "level": "error",
                "message": {"text": finding.message},
                "locations": [
                    {"physicalLocation": {"artifactLocation": _sarif_artifact_location(item.path), "region": region}}
                ],
                "partialFingerprints": {SARIF_FINGERPRINT_KEY: fingerprint},
            }
        )
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "loopguard",
                        "fullName": "flake8-loopguard",
                        "version": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# ----- github ---------------------------------------------------------------


def _escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's actions toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: the message escapes plus ``:`` and ``,``."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(located: Sequence[Located]) -> str:
    """GitHub Actions workflow commands: each finding becomes an error annotation on its line."""
    from .baseline import normalized_path

    lines: List[str] = []
    for item in located:
        finding = item.finding
        properties = ",".join(
            f"{name}={_escape_property(value)}"
            for name, value in (
                ("file", _checkout_path(item.path) or normalized_path(item.path)),
                ("line", str(finding.line)),
                ("col", str(finding.col + 1)),
                ("title", finding.code),
            )
        )
        lines.append(f"::error {properties}::{_escape_data(finding.message)}\n")
    return "".join(lines)


class ReportFormat(Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"

    @property
    def is_a_document(self) -> bool:
        """Whether the report is one document (JSON, SARIF) that nothing may be appended to."""
        return self in (ReportFormat.JSON, ReportFormat.SARIF)


RENDERERS: Dict[ReportFormat, Callable[[Sequence[Located]], str]] = {
    ReportFormat.TEXT: render_text,
    ReportFormat.JSON: render_json,
    ReportFormat.SARIF: render_sarif,
    ReportFormat.GITHUB: render_github,
}
FORMAT_NAMES = tuple(report_format.value for report_format in ReportFormat)


def report_format(name: str) -> ReportFormat:
    """The format of one of :data:`FORMAT_NAMES`; ``ValueError`` for any other name."""
    if name not in FORMAT_NAMES:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(FORMAT_NAMES)}")
    return ReportFormat(name)


def render(chosen: Union[ReportFormat, str], located: Sequence[Located]) -> str:
    """The report in a format, or in the format of that name (see :func:`report_format`)."""
    return RENDERERS[chosen if isinstance(chosen, ReportFormat) else report_format(chosen)](located)
