"""Label texts for the holidays area (zh-TW and English); keys must match."""

# ruff: noqa: E501
ZH: dict[str, str] = {}

EN: dict[str, str] = {}
