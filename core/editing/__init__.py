"""The edit pipeline and its tables: specs, checks, conflicts, the editor's frame, record links."""
