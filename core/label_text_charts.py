"""Labels of the chart house theme and chart downloads."""

ZH: dict[str, str] = {}

EN: dict[str, str] = {}
