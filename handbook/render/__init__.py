"""Render functions: pure functions from the model (and a page context) to HTML fragments."""
