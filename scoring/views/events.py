"""Views of this area (being written)."""

urls: list = []
