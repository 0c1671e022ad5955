"""Label texts for the fleet stats page (公務車統計) (zh-TW and English); keys must match."""

# ruff: noqa: E501
ZH: dict[str, str] = {}

EN: dict[str, str] = {}
