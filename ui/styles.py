"""The app's own CSS (assets/css/narrow.css: the layout on phones), added by the frame."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

CSS_FILE = Path(__file__).resolve().parent.parent / "assets" / "css" / "narrow.css"


@cache
def _css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


def inject() -> None:
    """Add the stylesheet to the page: on every run, as a page's elements are redrawn per run.
    An st.html of a <style> alone takes no room in the layout."""
    st.html(f"<style>{_css()}</style>")
