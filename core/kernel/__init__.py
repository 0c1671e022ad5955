"""What every function builds on: settings, caches, periods, ROC dates, holidays, local time,
fonts, the chart house style and text safety."""
