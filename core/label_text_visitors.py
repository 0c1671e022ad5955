"""Label texts for the visitor log page (zh-TW and English); keys must match."""

# ruff: noqa: E501
ZH: dict[str, str] = {}

EN: dict[str, str] = {}
