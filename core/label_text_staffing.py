"""Label texts for the staffing table page (員額統計) (zh-TW and English); keys must match."""

# ruff: noqa: E501
ZH: dict[str, str] = {}

EN: dict[str, str] = {}
