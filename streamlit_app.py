"""Entry point: `streamlit run streamlit_app.py` serves `app`, an st.App around the frame.

The frame (frame/main.py) is the server's main script. Streamlit runs a file of a `pages/`
folder by URL, skipping the main script, while no run has called st.navigation yet, but only a
`pages/` folder beside the main script: frame/ has none, so every page, whatever its file holds,
runs only as the frame's st.navigation lists it, after the sign-in check.
"""

import gc
import logging
import runpy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

FRAME = Path(__file__).resolve().parent / "frame" / "main.py"
log = logging.getLogger("streamlit_app")


def prepare() -> None:
    """Check and migrate the database (demo data on a first start) once per process, before
    the first session: the first visitor gets the sign-in page without waiting for it."""
    # Nothing here may import ui.auth: a component library imported outside a script run is
    # never registered with the server, and the sign-in cookie's component would not load.
    from db.engine import DatabaseUnavailable
    from ui.context import engine

    try:
        engine()
    except DatabaseUnavailable as exc:
        # The server starts anyway: the frame shows the message and tries again on each run.
        log.error("database not ready at start: %s", exc)
    freeze_start_heap()


def freeze_start_heap() -> None:
    """Move what the process holds after its start (Streamlit, SQLAlchemy, pandas, the models,
    the migrations' leftovers collected first) out of the garbage collector's sight: it lives
    as long as the process, and every full collection would walk it again. Streamlit's own
    collection after each run is off (.streamlit/config.toml, runner.postScriptGC); Python's
    generational collector still frees what runs leave behind, and its occasional full
    collections no longer walk the frozen heap."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    await anyio.to_thread.run_sync(prepare)
    yield


if get_script_run_ctx(suppress_warning=True) is None:  # imported by the server (uvicorn)
    app = st.App(FRAME, lifespan=lifespan)
else:
    # Run as a script, by AppTest.from_file("streamlit_app.py") in the page tests: the frame.
    runpy.run_path(str(FRAME), run_name="__main__")
