"""Alembic migrations of IdeaPump's SQL schema (:mod:`ideapump.store.tables`).

Run on every start by :func:`ideapump.store.schema.migrate`, or by an operator
with ``ideapump db upgrade``. ``versions/`` holds one file per schema change.
"""
