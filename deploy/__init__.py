"""Deployment on several app servers: nginx in front of N Streamlit processes (README.md here)."""
