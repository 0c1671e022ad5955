"""A page's first run in a server process runs alone.

On a new server, sessions that open the same page together would import its libraries in
several threads at once. Python's import locks then take one thread's circular import inside a
library (openpyxl's, for one) for a deadlock between threads and raise _DeadlockError in the
others, or hand them a module still half imported (ImportError: cannot import name …): 4 of
857 navigations failed that way in the first seconds of a 50-session load. So the first run of
each page waits for any other page's first run; after one has finished, its runs never wait.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

_lock = threading.Lock()
_done: set[str] = set()


@contextmanager
def alone_until_done(key: str) -> Iterator[None]:
    """Run the block under the process's first-run lock until a run of `key` has finished
    (also when it ended by st.rerun / st.switch_page / st.stop, which raise through it)."""
    if key in _done:
        yield
        return
    with _lock:
        try:
            yield
        except ScriptControlException:
            _done.add(key)  # a rerun or stop: the page's imports are done too
            raise
        _done.add(key)
