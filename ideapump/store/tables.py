"""Every table IdeaPump keeps in SQL, in one declarative base: the one schema.

    documents                   the registry: one row per (library, document)
    api_keys                    hashed API keys, each bound to one library
    conversations, messages     the collaborator's chat history
    digests, digest_entries     what the nightly digest wrote and covered
    feeds, feed_items           saved literature feeds and the items taken

One database holds them all (SQLite under the data dir by default, PostgreSQL
to scale out), so one ``IDEAPUMP_STORE__DATABASE_URL`` moves everything. The
database is brought to this schema by the Alembic migrations in
``ideapump/store/migrations`` (:mod:`ideapump.store.schema`), never by
``create_all``: a change here needs a new migration (``ideapump db revision``
prints how), and the test in tests/store checks that the two agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PENDING, COMPLETE, DELETING = "pending", "complete", "deleting"


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    library: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    doi: Mapped[str | None] = mapped_column(String(256), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The references section, kept out of the body chunks for citation lookup.
    references: Mapped[str] = mapped_column(Text, default="")
    #: Page texts as stored, so quotes can be checked and statistics re-run without the file.
    page_texts: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: For data summaries: the parsed table.
    table: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: The statistics audit made at ingest time (a StatsReport as JSON).
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    library: Mapped[str] = mapped_column(String(64), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ConversationRow(Base):
    __tablename__ = "conversations"

    conv_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    library: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MessageRow(Base):
    __tablename__ = "messages"

    msg_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conv_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.conv_id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text, default="")
    #: Citations, proposals and statistics findings that came with an assistant reply.
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DigestRow(Base):
    __tablename__ = "digests"

    library: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[str] = mapped_column(String(10), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    files: Mapped[list[str]] = mapped_column(JSON, default=list)


class DigestEntryRow(Base):
    __tablename__ = "digest_entries"

    library: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    digest_date: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FeedRow(Base):
    __tablename__ = "feeds"
    __table_args__ = (UniqueConstraint("library", "source", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    library: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    items: Mapped[int] = mapped_column(Integer, default=0)


class FeedItemRow(Base):
    __tablename__ = "feed_items"

    library: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    feed_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
