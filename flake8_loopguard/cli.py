"""The ``loopguard`` command (also ``python -m flake8_loopguard``).

Ctrl-C ends any command with ``loopguard: interrupted`` (a command may say more: its
``commands.interrupted.Interrupted`` carries its line) and exit 130, printed here only,
also while the command is still being imported: this module imports only ``sys`` at its top,
everything else is imported inside ``main``'s ``try``. (What comes before ``main`` is Python's:
its start-up, and the launcher importing this module.)
"""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C
INTERRUPTED = "loopguard: interrupted"


def _parser():
    """The argument parser of ``loopguard`` and its commands."""
    import argparse
    from pathlib import Path
    from typing import Any, List, Optional, Sequence, Tuple

    from . import __version__
    from .commands.check.arguments import add_parser as add_check_parser
    from .commands.migrate.arguments import add_parser as add_migrate_parser

    class Parser(argparse.ArgumentParser):
        """A parser that reports an unknown argument itself, with its own usage.

        argparse hands a subcommand's unknown arguments up to ``loopguard``, whose usage says
        nothing about them (``loopguard check --frobnicate``); and a required COMMAND is asked
        for before an unknown option is named (``loopguard --bogus``).
        """

        commands: Tuple[str, ...] = ()  # the top-level parser's subcommands, one of which is required

        def parse_known_args(  # type: ignore[override]
            self, args: Optional[Sequence[str]] = None, namespace: Optional[argparse.Namespace] = None
        ) -> Tuple[argparse.Namespace, List[str]]:
            parsed, unknown = super().parse_known_args(args, namespace)
            if unknown:
                self.error(f"unrecognized arguments: {' '.join(unknown)}")
            if self.commands and getattr(parsed, "command", None) is None:
                self.error(f"a command is required: {', '.join(self.commands[:-1])} or {self.commands[-1]}")
            return parsed, unknown

    parser = Parser(prog="loopguard", description="Keep an asyncio / qasync program on one event loop.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands: Any = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    add_check_parser(commands)
    rule = commands.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("code", help="a rule code, e.g. LG201")
    listing = commands.add_parser("rules", help="list every rule")
    output = listing.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="print the rule reference (docs/rules.md's table)")
    output.add_argument(
        "--update", metavar="FILE", type=Path, nargs="+", help="render the generated rule tables of these files again"
    )
    add_migrate_parser(commands)
    parser.commands = tuple(commands.choices)
    return parser


def entry() -> None:
    """The ``loopguard`` console script: :func:`main`, then the process ends with its status. After
    ``loopguard check`` it ends without the interpreter's teardown, which frees every object the
    run made (some 0.02 s after a cold run over the standard library, once the report is out)."""
    status = main()
    if _check_ran and status != EXIT_INTERRUPTED:
        _end_at_once(status)
    sys.exit(status)


def _end_at_once(status: int) -> None:
    """End the process as Python's exit would, its teardown left out: the ``atexit`` handlers
    (multiprocessing's among them), stdout and stderr flushed, then ``os._exit(status)``. Returns
    instead, leaving the exit to Python, while a thread other than this one runs (Python's exit
    waits for it) or when a flush fails (the reader of a pipe gone: Python's exit says so and
    sets the status)."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    import atexit
    import os

    atexit._run_exitfuncs()  # what Python's exit runs first (then they are cleared: they run once)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return
    os._exit(status)


_check_ran = False  # whether main ran `loopguard check` (the command whose process may end at once)


def main(argv: list[str] | None = None) -> int:
    # The one place a Ctrl-C becomes a line and exit 130 (commands/interrupted.py): a command
    # lets it through, with its own line when it has more to say (Interrupted.line).
    line = INTERRUPTED
    try:
        lost_ctrl_c = _LostCtrlC()
        with lost_ctrl_c:
            status = _command(argv)
        if not lost_ctrl_c.seen:
            return status
    except KeyboardInterrupt as interrupt:
        line = getattr(interrupt, "line", INTERRUPTED)
    print(line, file=sys.stderr)
    return EXIT_INTERRUPTED


class _LostCtrlC:
    """The Ctrl-C that CPython loses: the KeyboardInterrupt it raises in a weakref callback (one
    ends every import) or a ``__del__`` is printed as "Exception ignored" and the command goes on
    to its end. Such a Ctrl-C is noted (``seen``) instead of printed."""

    def __init__(self) -> None:
        self.seen = False

    def __enter__(self) -> None:
        self._previous_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable

    def __exit__(self, *exception: object) -> None:
        sys.unraisablehook = self._previous_hook

    def _unraisable(self, unraisable: object) -> None:
        if isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
            self.seen = True
        else:
            self._previous_hook(unraisable)  # type: ignore[arg-type]


def _command(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    # Only the chosen command is loaded: a check does not pay for the migration, nor for the rule docs.
    if args.command == "check":
        from .commands.check import command as check_command

        global _check_ran
        _check_ran = True
        return check_command.run(args)
    if args.command == "migrate":
        from .commands.migrate import command as migrate_command

        return migrate_command.run(args)
    from .commands.rule_docs import rule_text, rules_listing, rules_markdown_table, update_rule_docs
    from .core.rules import RULES

    if args.command == "rule":
        rule = RULES.get(args.code.upper())
        if rule is None:
            print(f"loopguard: unknown rule {args.code!r}; `loopguard rules` lists them", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout.write(rule_text(rule))
        return EXIT_OK
    if args.markdown:
        sys.stdout.write(rules_markdown_table())
    elif args.update is not None:
        for path in args.update:
            try:
                changed = update_rule_docs(path)
            except (OSError, ValueError) as error:
                print(f"loopguard: {path}: {error}", file=sys.stderr)
                return EXIT_USAGE
            print(f"{path}: {'rule tables updated' if changed else 'rule tables already up to date'}")
    else:
        sys.stdout.write(rules_listing())
    return EXIT_OK
