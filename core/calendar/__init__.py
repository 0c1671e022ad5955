"""姊妹市行事曆: partner cities, exchange events, anniversaries, rules, charts and the .ics file."""
