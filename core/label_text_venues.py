"""Label texts for the venue usage page (場地使用) (zh-TW and English); keys must match."""

# ruff: noqa: E501
ZH: dict[str, str] = {}

EN: dict[str, str] = {}
