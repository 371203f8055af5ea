"""Reading and writing `loopguard check`'s result files in tests, and the warnings about them."""

import json
import os

from flake8_loopguard.commands.check.cache import content_digest, key_home, machine_key, signed, verified_body

from .harness import check
from .samples import CLEAN, LG102, RUNS_A_LOOP, write

DAY = 24 * 3600
LOOP_REPORT = f"app.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"  # what check prints for app.py


def results_file(folder):
    (found,) = folder.glob("results-*.json")
    return found


def verbose_tail(result):
    return result.stderr.splitlines()[-1]


def warnings_of(result):
    return [line for line in result.stderr.splitlines() if line.startswith("loopguard: warning: ")]


def own_home(folder):
    """The environment changes that make ``folder`` the cache home (and home): another machine, for the cache."""
    return {"XDG_CACHE_HOME": str(folder), "HOME": str(folder)}


def not_ours(cache_file):
    return f"loopguard: warning: the cache {cache_file} was not written by this machine's loopguard; ignored\n"


def tracked_warning(folder):
    return (
        f"loopguard: warning: the cache {folder} is tracked by git: a committed cache is never trusted; "
        "running without it\n"
    )


def malformed(cache_file):
    return (
        f"loopguard: warning: ignoring malformed records in the cache {cache_file}; what they held is computed again\n"
    )


def read_cache(cache_file):
    """The document of a results file written with this test's key (its MAC verified): the
    records' document, with the second one, the summaries by path, as ``"summaries"``."""
    body = verified_body(machine_key(key_home()), cache_file.name, cache_file.read_bytes())
    assert body is not None, f"{cache_file} does not verify"
    records, summaries = body.split(b"\n")
    return {**json.loads(records), "summaries": json.loads(summaries)}


def write_cache(cache_file, document):
    """Write a results file as this machine's loopguard would: with a valid MAC."""
    records = {key: value for key, value in document.items() if key != "summaries"}
    body = json.dumps(records).encode("ascii") + b"\n" + json.dumps(document["summaries"]).encode("ascii")
    cache_file.write_bytes(signed(machine_key(key_home()), cache_file.name, body))


def cache_records(root):
    (cache_file,) = (root / ".loopguard_cache").glob("results-*.json")
    files = read_cache(cache_file)["files"]
    return {os.path.relpath(path, root): entry[3] for path, entry in files.items()}


def craft_clean_cache(project, attacker_home):
    """What an attacker commits: the cache of a clean app.py, its content digest replaced by
    the violating file's, so that the records claim the violating file is clean."""
    write(project, {"app.py": CLEAN})
    assert check(project, ".", env=own_home(attacker_home)).status == 0
    cache_file = results_file(project / ".loopguard_cache")
    clean_digest = content_digest(CLEAN.encode()).encode()
    crafted = cache_file.read_bytes().replace(clean_digest, content_digest(RUNS_A_LOOP.encode()).encode())
    assert crafted != cache_file.read_bytes()
    cache_file.write_bytes(crafted)
    write(project, {"app.py": RUNS_A_LOOP})
