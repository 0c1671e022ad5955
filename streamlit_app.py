"""Entry point: `streamlit run streamlit_app.py` serves `app`, an st.App around the frame.

The frame (frame/main.py) is the server's main script. Streamlit runs a file of a `pages/`
folder by URL, skipping the main script, while no run has called st.navigation yet, but only a
`pages/` folder beside the main script: frame/ has none, so every page, whatever its file holds,
runs only as the frame's st.navigation lists it, after the sign-in check.
"""

import gc
import importlib
import runpy
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import streamlit as st
from streamlit.logger import get_logger
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from core.kernel.stopwatch import Stopwatch

FRAME = Path(__file__).resolve().parent / "frame" / "main.py"
# Streamlit's logger prints at its logger.level (info by default) to the server's console.
log = get_logger("streamlit_app")


def prepare() -> None:
    """Check and migrate the database (demo data on a first start) once per process, before
    the first session: the first visitor gets the sign-in page without waiting for it. Logs
    how long each part took (`python -m bench --only start` reads the line).

    The start makes a great many objects that live as long as the server (modules, classes)
    and many short-lived ones (the demo rows, freed as they go): the cyclic garbage collector,
    left on, walks the growing heap hundreds of times (0.6–0.8 s of a first start). It is off
    during the start; then everything there is frozen (gc.freeze), so no later collection walks
    it again. The few thousand objects of the start's own reference cycles (1–8 thousand,
    imports and the demo load) stay with them: a full collection to free them cost 0.25–1.7 s
    of a start as measured."""
    watch = Stopwatch()
    gc.disable()
    try:
        ready = _prepare(watch)
    finally:
        gc.freeze()
        gc.enable()
    if ready:
        log.info("database ready in %.2f s: %s", watch.total(), watch.line())


def _prepare(watch: Stopwatch) -> bool:
    # Nothing here may import ui.auth: a component library imported outside a script run is
    # never registered with the server, and the sign-in cookie's component would not load.
    with watch.part("imports"):  # here, so that the parts after it time work, not imports
        import core.accounts.users  # noqa: F401
        import db.migrate  # noqa: F401
        import db.seed  # noqa: F401
        from db.engine import DatabaseUnavailable
        from ui.context import engine

    try:
        engine(watch)
    except DatabaseUnavailable as exc:
        # The server starts anyway: the frame shows the message and tries again on each run.
        log.error("database not ready at start: %s", exc)
        return False
    return True


# Libraries the frame's first run imports (set_page_config's emoji check; what the sign-in
# component's library and the holiday calendar need) that import nothing of the app's: a thread
# of their own can import them beside a script run without any chance of the two threads
# waiting on each other's modules. The component libraries themselves (extra_streamlit_components,
# streamlit_authenticator) must be imported inside a script run, see prepare.
WARM_UP = ("streamlit.emojis", "requests", "jwt", "yaml", "PIL.Image", "captcha.image",
           "holidays")  # fmt: skip


def warm_up() -> None:
    """Import WARM_UP while the first visitor's browser loads Streamlit's scripts, a second or
    more in which the server has nothing else to do."""
    for name in WARM_UP:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # the run imports it again and shows the error there
            log.warning("warm-up: %s", exc)


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    await anyio.to_thread.run_sync(prepare)
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    yield


if get_script_run_ctx(suppress_warning=True) is None:  # imported by the server (uvicorn)
    app = st.App(FRAME, lifespan=lifespan)
else:
    # Run as a script, by AppTest.from_file("streamlit_app.py") in the page tests: the frame.
    runpy.run_path(str(FRAME), run_name="__main__")
