"""禮品管理: gift stock and movements, gifts received under the ethics rules, the register."""
