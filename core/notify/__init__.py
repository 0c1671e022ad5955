"""The daily digest: what needs each lead's sections, e-mailed once a day (core.notify.cli)."""
