"""The service's own tables: API keys, conversations and their messages.

They live in the same database as the document registry (SQLite under the data
dir by default, PostgreSQL to scale out) through a sibling declarative base, on
the registry's engine, so one ``IDEAPUMP_STORE__DATABASE_URL`` moves all of it.

Keys are stored as a SHA-256 hash of the secret plus a short visible prefix;
the secret itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)

from ideapump.config import check_library_name
from ideapump.errors import NotFoundError
from ideapump.store.registry import Registry
from ideapump.store.tables import ApiKeyRow, ConversationRow, MessageRow
from ideapump.writer import BatchWriter

KEY_PREFIX = "ipk_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class ServiceStore:
    """Keys and conversations on the registry's engine (and its error mapping)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._messages = BatchWriter(self._store_messages, name="ideapump-messages")

    # -- keys ------------------------------------------------------------------
    def create_key(self, library: str, name: str = "") -> tuple[ApiKeyRow, str]:
        """A new key for ``library``; returns the row and the secret (shown only once)."""
        check_library_name(library)
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            key_id=secrets.token_hex(4),
            name=name,
            library=library,
            key_hash=hash_key(secret),
            created_at=_now(),
        )
        with self.registry.session() as s:
            s.add(row)
        return row, secret

    def list_keys(self, *, include_revoked: bool = False) -> list[ApiKeyRow]:
        with self.registry.session() as s:
            q = select(ApiKeyRow).order_by(ApiKeyRow.created_at)
            if not include_revoked:
                q = q.where(ApiKeyRow.revoked_at.is_(None))
            return list(s.scalars(q))

    def revoke_key(self, key_id: str) -> ApiKeyRow:
        with self.registry.session() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at is not None:
                raise NotFoundError(f"no active key with id {key_id!r}")
            row.revoked_at = _now()
            return row

    def active_key_count(self) -> int:
        with self.registry.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(ApiKeyRow)
                    .where(ApiKeyRow.revoked_at.is_(None))
                )
                or 0
            )

    def find_key(self, secret: str) -> ApiKeyRow | None:
        with self.registry.session() as s:
            return s.scalar(
                select(ApiKeyRow).where(
                    ApiKeyRow.key_hash == hash_key(secret), ApiKeyRow.revoked_at.is_(None)
                )
            )

    # -- conversations -----------------------------------------------------------
    def create_conversation(self, library: str, title: str = "") -> ConversationRow:
        now = _now()
        row = ConversationRow(
            conv_id=uuid.uuid4().hex, library=library, title=title, created_at=now, updated_at=now
        )
        with self.registry.session() as s:
            s.add(row)
        return row

    def conversations(self, library: str) -> list[ConversationRow]:
        with self.registry.session() as s:
            return list(
                s.scalars(
                    select(ConversationRow)
                    .where(ConversationRow.library == library)
                    .order_by(ConversationRow.updated_at.desc())
                )
            )

    def conversation(self, library: str, conv_id: str) -> ConversationRow:
        """The conversation if it belongs to ``library``; another library's id is not found."""
        with self.registry.session() as s:
            row = s.get(ConversationRow, conv_id)
        if row is None or row.library != library:
            raise NotFoundError(f"no conversation {conv_id!r}")
        return row

    def delete_conversation(self, library: str, conv_id: str) -> None:
        self.conversation(library, conv_id)
        with self.registry.session() as s:
            s.execute(delete(MessageRow).where(MessageRow.conv_id == conv_id))
            s.execute(delete(ConversationRow).where(ConversationRow.conv_id == conv_id))

    def history(self, library: str, conv_id: str) -> list[tuple[str, str]]:
        """(role, content) of a conversation's messages, oldest first, for the model.

        Only the two columns: a long conversation's stored citations and proposals
        are not decoded on every message. Another library's id is not found.
        """
        self.conversation(library, conv_id)
        with self.registry.session() as s:
            turns = s.execute(
                select(MessageRow.role, MessageRow.content)
                .where(MessageRow.conv_id == conv_id)
                .order_by(MessageRow.msg_id)
            )
            return [(role, content) for role, content in turns]

    def messages(self, conv_id: str) -> list[MessageRow]:
        with self.registry.session() as s:
            return list(
                s.scalars(
                    select(MessageRow)
                    .where(MessageRow.conv_id == conv_id)
                    .order_by(MessageRow.msg_id)
                )
            )

    def add_message(
        self, conv_id: str, role: str, content: str, extras: dict[str, Any] | None = None
    ) -> MessageRow:
        return self.submit_message(conv_id, role, content, extras).result()

    def submit_message(
        self, conv_id: str, role: str, content: str, extras: dict[str, Any] | None = None
    ) -> Future[MessageRow]:
        """Queue a message for the writer; the future holds the stored row (with its id)."""
        row = MessageRow(
            conv_id=conv_id, role=role, content=content, extras=extras or {}, created_at=_now()
        )
        return self._messages.submit(row)

    def _store_messages(self, rows: Sequence[MessageRow]) -> None:
        # Two statements for the whole batch, with no SELECT of the conversations:
        # under load each statement is a wait for the GIL, and on PostgreSQL a round
        # trip. With three CPU-bound threads competing, a batch of four took a quarter
        # less time than through an ORM flush; in bench/serve that is within the noise.
        touched: dict[str, tuple[datetime, str]] = {}  # conv_id: (updated_at, title if none)
        for r in rows:
            title = touched.get(r.conv_id, (r.created_at, ""))[1]
            if not title and r.role == "user":
                title = " ".join(r.content.split())[:80]
            touched[r.conv_id] = (r.created_at, title)  # rows are in submission order
        with self.registry.session() as s:
            ids = s.scalars(
                insert(MessageRow).returning(MessageRow.msg_id, sort_by_parameter_order=True),
                [
                    {
                        "conv_id": r.conv_id,
                        "role": r.role,
                        "content": r.content,
                        "extras": r.extras,
                        "created_at": r.created_at,
                    }
                    for r in rows
                ],
            ).all()
            # A WHERE with many parameter sets is not the ORM's bulk update by
            # primary key, so it goes to the connection (the same transaction).
            s.connection().execute(
                update(ConversationRow)
                .where(ConversationRow.conv_id == bindparam("conv"))
                .values(
                    updated_at=bindparam("at"),
                    title=case(
                        (ConversationRow.title == "", bindparam("title")),
                        else_=ConversationRow.title,
                    ),
                ),
                [{"conv": c, "at": at, "title": t} for c, (at, t) in touched.items()],
            )
        for r, msg_id in zip(rows, ids, strict=True):
            r.msg_id = msg_id
