"""Accounts and sign-in: users, passwords, sessions, the cookie's key; `python -m core.accounts`."""
