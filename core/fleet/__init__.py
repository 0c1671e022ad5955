"""公務車統計: vehicles, drivers and trips, their rules, use, charts and monthly reports."""
