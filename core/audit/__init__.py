"""The audit log read back: the history page's entries and what changed since a sign-in."""
