"""總覽: what needs the bureau today and in the coming days, from every function."""
