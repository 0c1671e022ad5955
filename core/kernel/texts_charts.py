"""Labels of the chart house theme and chart downloads."""

ZH: dict[str, str] = {
    "chart.source": "資料來源：行政暨國際處業務工作台",
    "chart.source_period": "期間：{period}",
    "chart.source_as_of": "資料日期：{date}",
    "chart.source_sep": "；",
    "chart.download.png": "下載 PNG",
    "chart.download.svg": "下載 SVG",
    "chart.download.png_help": "下載圖表圖片（PNG，2 倍解析度），可貼入簡報或文件",
    "chart.download.svg_help": "下載向量圖（SVG），放大不失真，可再編修",
}

EN: dict[str, str] = {
    "chart.source": "Source: Bureau Workspace, Administration and International Affairs",
    "chart.source_period": "Period: {period}",
    "chart.source_as_of": "Data as of {date}",
    "chart.source_sep": "; ",
    "chart.download.png": "PNG",
    "chart.download.svg": "SVG",
    "chart.download.png_help": "Download the chart as an image (PNG, 2× resolution)",
    "chart.download.svg_help": "Download the chart as a vector drawing (SVG), sharp at any size",
}
