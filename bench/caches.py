"""Forget every cache the app keeps, for cold runs: Streamlit's, core.kernel.cache's, functools'.

Kept up to date by looking rather than by a list: every functools cache (lru_cache, cache) in
a loaded module of core/, ui/, db/ and pages/ is cleared, and so are core.kernel.cache (the results
keyed by table stamps), core.search.finder (the search's folded indexes). Engines get_engine()
drops are disposed, so cold runs do not pile up open connections (PostgreSQL allows 100).
"""

from __future__ import annotations

import logging
import sys
import weakref

import streamlit as st
from sqlalchemy import Engine

OURS = ("core.", "ui.", "db.", "pages.", "bench.")
_app_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_patched = False
# Clearing st.cache_data outside a script run says "No runtime found" each time, and the first
# call from the main thread says it has no ScriptRunContext: both expected here. (A filter, as
# Streamlit resets its loggers' levels when it reads its config.)
_EXPECTED = ("No runtime found", "missing ScriptRunContext")
for _name in ("cache_data_api", "cache_resource_api", "caching.cache_utils"):
    logging.getLogger(f"streamlit.runtime.caching.{_name}").addFilter(
        lambda record: not record.getMessage().startswith(_EXPECTED)
    )
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage()
)


def track_app_engines() -> None:
    """Note every engine db.engine.get_engine() builds (the app's), to dispose it on clear."""
    global _patched
    import db.engine as engine_module

    if _patched:
        return
    original = engine_module.make_engine

    def make_engine(url: str) -> Engine:
        made = original(url)
        _app_engines.add(made)
        return made

    engine_module.make_engine = make_engine
    _patched = True


def _functools_caches() -> list[tuple[str, object]]:
    found = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(OURS):
            continue
        for attr, value in list(vars(module).items()):
            clears = callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info")
            if clears and getattr(value, "__module__", name) == name:  # defined here
                found.append((f"{name}.{attr}", value))
    return found


def clear_caches() -> list[str]:
    """Clear everything; returns the names of what was cleared (for the report's header)."""
    cleared = ["st.cache_data", "st.cache_resource"]
    st.cache_data.clear()
    st.cache_resource.clear()
    # Results keyed by table stamps, and the global search's folded indexes.
    for module_name in ("core.kernel.cache", "core.search.finder"):
        module = sys.modules.get(module_name)
        if module is not None and callable(getattr(module, "clear", None)):
            module.clear()
            cleared.append(module_name)
    for name, fn in _functools_caches():
        fn.cache_clear()  # type: ignore[attr-defined]
        cleared.append(name)
    for engine in list(_app_engines):
        engine.dispose()
        _app_engines.discard(engine)
    return cleared
