"""What the cache of ``loopguard check`` keeps, as data, and its JSON form: written and checked
here only.

A cache this machine wrote can still hold a value of another shape (a bug, a format change): a
``from_json`` gives None for it, and the cache treats it as absent. The JSON is compact, as a
cache holds thousands of records:

* a file's entry: ``[mtime_ns, size, digest, record]``;
* its record: ``{"findings": [[line, col, code, message, context, line text], ...], "summary":
  {...} or null, "modelled": bool}``, and ``"names_tested": digest`` once names were looked for;
* the project's: ``{"fingerprint": str, "record": {path: [[line, col, code, message, context],
  ...]}}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from ...core.findings import Finding
from ...core.rows import is_json_row

FINDING_ROW = (int, int, str, str, str)  # line, col, code, message, context
RECORDED_FINDING_ROW = FINDING_ROW + (str,)  # and the line's text


class Stat(NamedTuple):
    """What tells that a file is unchanged without reading it."""

    mtime_ns: int  # 0: not to be trusted (the file changed within the clock tick of its reading)
    size: int


# Named tuples rather than frozen dataclasses: a warm run makes thousands of these, and a tuple is
# made several times faster.
class RecordedFinding(NamedTuple):
    finding: Finding
    line_text: str  # the source text of the finding's line, stripped


class FileRecord(NamedTuple):
    """One file's result: its findings after ``# noqa``, and what the whole-project pass needs."""

    findings: Tuple[RecordedFinding, ...]
    # ModuleSummary.to_json() (None: none needed, or the file does not parse); read, and its
    # shape checked, where the whole-project pass needs it: a run that the cache answers never does.
    summary: Optional[Dict[str, Any]]
    # Whether the summary is the full model's; else the imports only, and a later phase may need
    # the file modelled.
    modelled: bool
    # The digest of the names that a later phase looked for in the file and did not find; "": none.
    names_tested: str = ""

    def to_json(self) -> Dict[str, Any]:
        value: Dict[str, Any] = {
            "findings": [_finding_json(recorded.finding) + [recorded.line_text] for recorded in self.findings],
            "summary": self.summary,
            "modelled": self.modelled,
        }
        if self.names_tested:
            value["names_tested"] = self.names_tested
        return value

    @classmethod
    def from_json(cls, value: Any) -> Optional[FileRecord]:
        # One pass, no more than the checks: a warm run reads thousands of these.
        try:
            rows, summary, modelled = value["findings"], value["summary"], value["modelled"]
            names_tested = value.get("names_tested", "")
        except (TypeError, KeyError, AttributeError):  # not an object, or a key missing
            return None
        if not (
            type(rows) is list
            and (summary is None or type(summary) is dict)
            and type(modelled) is bool
            and type(names_tested) is str
        ):
            return None
        findings = []
        for row in rows:
            if not is_json_row(row, RECORDED_FINDING_ROW):
                return None
            findings.append(RecordedFinding(Finding(*row[:5]), row[5]))
        return cls(tuple(findings), summary, modelled, names_tested)


class CacheEntry(NamedTuple):
    """A file's record, and the stat and content digest it holds for."""

    stat: Stat
    digest: str
    record: FileRecord

    def to_json(self) -> Any:
        return [self.stat.mtime_ns, self.stat.size, self.digest, self.record.to_json()]

    @classmethod
    def from_json(cls, value: Any) -> Optional[CacheEntry]:
        if not (type(value) is list and len(value) == 4):
            return None
        mtime_ns, size, digest, record_json = value
        if not (type(mtime_ns) is int and type(size) is int and type(digest) is str):
            return None
        record = FileRecord.from_json(record_json)
        return None if record is None else cls(Stat(mtime_ns, size), digest, record)


@dataclass(frozen=True)
class ProjectRecord:
    """The whole-project findings, by path, of exactly the files and contents ``fingerprint`` names."""

    fingerprint: str
    findings: Dict[str, Tuple[Finding, ...]]

    def to_json(self) -> Any:
        return {
            "fingerprint": self.fingerprint,
            "record": {path: [_finding_json(finding) for finding in found] for path, found in self.findings.items()},
        }

    @classmethod
    def from_json(cls, value: Any) -> Optional[ProjectRecord]:
        if not (isinstance(value, dict) and isinstance(value.get("fingerprint"), str)):
            return None
        by_path = value.get("record")
        if not (
            isinstance(by_path, dict)
            and all(
                isinstance(rows, list) and all(is_json_row(row, FINDING_ROW) for row in rows)
                for rows in by_path.values()
            )
        ):
            return None
        return cls(value["fingerprint"], {path: tuple(Finding(*row) for row in rows) for path, rows in by_path.items()})


def _finding_json(finding: Finding) -> List[Any]:
    return [finding.line, finding.col, finding.code, finding.message, finding.context]
