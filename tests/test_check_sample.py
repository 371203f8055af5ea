"""How many processes ``loopguard check`` starts without ``--jobs``: the first files are checked in
this process, and what is left, at their pace, gets a process per 0.1 s of work, up to a core
each. A fake clock stands for the CPU time the files cost."""

from types import SimpleNamespace

import pytest

from flake8_loopguard.commands.check import run


class FakeClock:
    def __init__(self):
        self.seconds = 0.0

    def process_time(self):
        return self.seconds


@pytest.fixture
def sampling(monkeypatch):
    """``sample(files, seconds_a_file, cores)`` -> (files checked here, processes)."""

    def sample(count, seconds_a_file, cores):
        clock = FakeClock()

        def check_file(task, config):
            clock.seconds += seconds_a_file
            return task

        monkeypatch.setattr(run, "time", clock)
        monkeypatch.setattr(run.files, "check_file", check_file)
        monkeypatch.setattr(run, "_cores", lambda: cores)
        checker = run.Run.__new__(run.Run)
        checker.options, checker.config = SimpleNamespace(jobs=None), None
        checked, processes = checker._process_count(list(range(count)))
        return len(checked), processes

    return sample


def test_a_large_tree_is_sampled_for_twenty_files_once_its_rest_pays_a_process_a_core(sampling):
    # 0.3 ms a file: the 980 left are 0.29 s of work, a process for each of two cores (0.2 s).
    assert sampling(1000, 0.0003, cores=2) == (20, 2)


def test_a_tree_whose_rest_pays_fewer_processes_is_sampled_for_the_whole_sample_time(sampling):
    # 0.16 ms a file: after 20 files the rest is 0.157 s, less than a process a core for four
    # cores; after 0.05 s (313 files) the 687 left, 0.11 s, pay one process.
    assert sampling(1000, 0.00016, cores=4) == (313, 1)


def test_a_small_tree_is_checked_in_this_process(sampling):
    assert sampling(30, 0.0003, cores=2) == (30, 0)  # all of it: nothing is left for a process


def test_one_core_means_one_process_and_no_sample(sampling):
    assert sampling(1000, 0.0003, cores=1) == (0, 1)
