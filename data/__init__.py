"""Demo-data builder and reference geography (not imported by the app)."""
