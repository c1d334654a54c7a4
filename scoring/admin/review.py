"""Admin of this area."""
