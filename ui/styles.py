"""The app's own CSS, added by the frame on every run: assets/css/*.css in name order
(focus.css: where the keyboard is; narrow.css: the layout on phones)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

CSS_DIR = Path(__file__).resolve().parent.parent / "assets" / "css"


@cache
def _css() -> str:
    return "\n".join(f.read_text(encoding="utf-8") for f in sorted(CSS_DIR.glob("*.css")))


def inject() -> None:
    """Add the stylesheets to the page: on every run, as a page's elements are redrawn per run.
    An st.html of a <style> alone takes no room in the layout."""
    st.html(f"<style>{_css()}</style>")
