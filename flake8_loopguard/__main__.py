import sys

from .cli import main

status = main()
# Under `python -m`, CPython ends the process by SIGINT (not with the status main returned) when
# a Ctrl-C, however handled, interrupted code it ran from a string (a dataclass being made while a
# module is imported). Running a string that completes clears that mark.
exec("")
sys.exit(status)
