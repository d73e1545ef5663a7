"""User-interface helpers imported by app.py alone: texts, map building, colours, offline assets."""
