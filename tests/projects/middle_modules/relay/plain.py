"""No loop word here: the prefilter skips this file, yet it links its callers to a loop."""
from relay.loop_helper import run_blocking


def refresh(job):
    return run_blocking(job.load())
