"""Import and export of a table: CSV and XLSX files in and out through the edit pipeline."""
