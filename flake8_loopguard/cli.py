"""The ``loopguard`` command (also ``python -m flake8_loopguard``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from . import __version__, check_command, migrate_command
from .docs import rule_text, rules_listing, rules_markdown_table, update_readme
from .core.rules import RULES

EXIT_OK = 0
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loopguard", description="Keep an asyncio / qasync program on one event loop."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check_command.add_parser(commands)
    rule = commands.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("code", help="a rule code, e.g. LG201")
    listing = commands.add_parser("rules", help="list every rule")
    output = listing.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="print the README's rule table")
    output.add_argument("--update-readme", metavar="README", type=Path, help="rewrite the rule table of this README")
    migrate_command.add_parser(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return check_command.run(args)
    if args.command == "migrate":
        return migrate_command.run(args)
    if args.command == "rule":
        rule = RULES.get(args.code.upper())
        if rule is None:
            print(f"loopguard: unknown rule {args.code!r}; `loopguard rules` lists them", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout.write(rule_text(rule))
        return EXIT_OK
    if args.markdown:
        sys.stdout.write(rules_markdown_table())
    elif args.update_readme is not None:
        try:
            changed = update_readme(args.update_readme)
        except (OSError, ValueError) as error:
            print(f"loopguard: {args.update_readme}: {error}", file=sys.stderr)
            return EXIT_USAGE
        print(f"{args.update_readme}: {'rule table updated' if changed else 'rule table already up to date'}")
    else:
        sys.stdout.write(rules_listing())
    return EXIT_OK
