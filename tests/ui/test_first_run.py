"""The first run of a page waits for any other first run (ui.first_run); later runs never do."""

import threading

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from ui import first_run


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(first_run, "_done", set())


def test_a_first_run_waits_for_another_first_run_and_later_runs_do_not():
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with first_run.alone_until_done("fleet_stats"):
            inside.set()
            release.wait(10)
            order.append("fleet_stats done")

    def second() -> None:
        with first_run.alone_until_done("gift_inventory"):
            order.append("gift_inventory ran")

    a = threading.Thread(target=first)
    a.start()
    assert inside.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.3)
    assert b.is_alive() and order == []  # waiting for the other page's first run
    release.set()
    a.join(10)
    b.join(10)
    assert order == ["fleet_stats done", "gift_inventory ran"]

    # Both have run once: a run of either no longer takes the lock, even while it is held.
    with first_run._lock, first_run.alone_until_done("fleet_stats"):
        pass


def test_a_page_that_reruns_counts_as_run_and_one_that_fails_does_not():
    with pytest.raises(RerunException), first_run.alone_until_done("overview"):
        raise RerunException(None)
    with pytest.raises(ValueError), first_run.alone_until_done("briefing"):
        raise ValueError("boom")
    assert first_run._done == {"overview"}
    assert not first_run._lock.locked()
