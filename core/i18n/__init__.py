"""The label catalogue: every word the UI shows, zh-TW and English, from each package's texts."""
