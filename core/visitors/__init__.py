"""外賓接待紀錄: receptions of foreign visitors, their rules, charts and photos."""
