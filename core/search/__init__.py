"""Global search across the functions' tables."""
