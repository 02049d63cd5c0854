"""One module per schema revision (Alembic loads them by their ``revision`` ids)."""
