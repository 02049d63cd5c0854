"""Baseline: the schema of IdeaPump 0.1.0, the last release without migrations.

Revision ID: 0001
Revises:
Create Date: 2026-12-05

Databases made by 0.1.0 hold some or all of these tables (each module created
its own with ``create_all`` when first used) but no ``alembic_version``. So this
revision creates each table only where it is missing: on a new database it
creates them all, on a 0.1.0 database it completes it and leaves every row as
it is. Later revisions are ordinary migrations.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _table(name: str, *elements: sa.schema.SchemaItem, indexes: tuple[str, ...] = ()) -> None:
    """Create ``name`` with a plain index on each of ``indexes``, unless it exists already."""
    if sa.inspect(op.get_bind()).has_table(name):
        return
    op.create_table(name, *elements)
    for column in indexes:
        op.create_index(f"ix_{name}_{column}", name, [column], unique=False)


def upgrade() -> None:
    _table(
        "documents",
        sa.Column("library", sa.String(length=64), nullable=False),
        sa.Column("doc_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("doi", sa.String(length=256), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("references", sa.Text(), nullable=False),
        sa.Column("page_texts", sa.JSON(), nullable=False),
        sa.Column("table", sa.JSON(), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("library", "doc_id"),
        indexes=("source", "status"),
    )
    _table(
        "api_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("library", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
        sa.UniqueConstraint("key_hash"),
        indexes=("library",),
    )
    _table(
        "conversations",
        sa.Column("conv_id", sa.String(length=32), nullable=False),
        sa.Column("library", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conv_id"),
        indexes=("library",),
    )
    _table(
        "messages",
        sa.Column("msg_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conv_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("extras", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conv_id"], ["conversations.conv_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("msg_id"),
        indexes=("conv_id",),
    )
    _table(
        "digests",
        sa.Column("library", sa.String(length=64), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("library", "date"),
    )
    _table(
        "digest_entries",
        sa.Column("library", sa.String(length=64), nullable=False),
        sa.Column("doc_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("digest_date", sa.String(length=10), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("library", "doc_id"),
        indexes=("digest_date", "status"),
    )
    _table(
        "feeds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("library", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("library", "source", "topic"),
        indexes=("library",),
    )
    _table(
        "feed_items",
        sa.Column("library", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("library", "source", "item_id"),
    )


def downgrade() -> None:
    for name in (
        "feed_items",
        "feeds",
        "digest_entries",
        "digests",
        "messages",
        "conversations",
        "api_keys",
        "documents",
    ):
        op.drop_table(name)
