"""Labels of the table registry's generic parts: the chart every table with a period gets."""

ZH: dict[str, str] = {
    "chart.generic.title": "{table}：每月筆數",
    "chart.generic.expander": "圖表：每月筆數",
}

EN: dict[str, str] = {
    "chart.generic.title": "{table} per month",
    "chart.generic.expander": "Chart: records per month",
}
