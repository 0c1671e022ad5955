"""Streamlit building blocks shared by the pages: period picker, figures, record tables."""
