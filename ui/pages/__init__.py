"""The app's pages (one module each); app.py registers them with ``st.navigation``."""
