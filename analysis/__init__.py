"""Pure analysis functions: indicators, scoring, robustness (no I/O, no Streamlit)."""
