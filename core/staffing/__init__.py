"""員額統計: the 工級 and 臨時人員 headcount snapshots, reductions since the merger, charts."""
