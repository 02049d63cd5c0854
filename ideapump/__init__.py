"""IdeaPump: a research idea pump for scientific labs."""

__version__ = "0.1.0"
