"""``/digests``: the nightly digests of this key's library, and their Markdown and HTML files.

The digest state in the registry (:mod:`ideapump.digest.state`) is the index: a
key sees the rows of its own library only, so another library's date is simply
not found. The served file is never named by the request: it is the file the
day's digest run recorded, and only if its name is that digest's own
``<date>-<library>.<format>`` (when the recorded folder has gone, after moving
``IDEAPUMP_HOME``, the same name in the library's digest folder). The date is
checked to be a calendar date before anything is looked up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from pydantic import AfterValidator

from ideapump.api.deps import AppState, Caller, get_caller, get_state
from ideapump.api.errors import ERROR_RESPONSES
from ideapump.config import Settings
from ideapump.digest.run import out_dir_for
from ideapump.digest.state import DigestRow, DigestState
from ideapump.errors import NotFoundError
from ideapump.schemas import DigestFormat, DigestInfo

router = APIRouter(prefix="/digests", tags=["digests"], responses=ERROR_RESPONSES)

FORMATS: tuple[DigestFormat, ...] = ("md", "html")
MEDIA_TYPES = {"md": "text/markdown", "html": "text/html"}
#: The HTML digest loads nothing (inline CSS and SVG only); keep it that way in a browser.
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _calendar_date(value: str) -> str:
    if not _DAY.fullmatch(value):
        raise ValueError(f"want a date like 2025-03-02 (YYYY-MM-DD), not {value[:40]!r}")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a calendar date") from None
    return value


DigestDate = Annotated[
    str,
    AfterValidator(_calendar_date),
    PathParam(
        description="The digest's date, YYYY-MM-DD.",
        examples=["2025-03-02"],
        json_schema_extra={"format": "date"},
    ),
]


def digest_files(settings: Settings, row: DigestRow) -> dict[DigestFormat, Path]:
    """The row's files that exist, by format (only the digest's own file names)."""
    recorded = {Path(f).name: Path(f) for f in row.files or []}
    found: dict[DigestFormat, Path] = {}
    for fmt in FORMATS:
        name = f"{row.date}-{row.library}.{fmt}"
        if name not in recorded:
            continue  # the day's last run did not write this format
        for path in (recorded[name], out_dir_for(settings, row.library) / name):
            if path.is_file():
                found[fmt] = path
                break
    return found


def to_info(settings: Settings, row: DigestRow, root: str) -> DigestInfo:
    base = f"{root}/digests/{row.date}"
    formats = list(digest_files(settings, row))
    return DigestInfo(
        library=row.library,
        date=row.date,
        runs=row.runs,
        notes=list(row.notes or []),
        formats=formats,
        links={"self": base, **{f: f"{base}/file?format={f}" for f in formats}},
        updated_at=row.updated_at,
    )


def _row(state: AppState, library: str, date: str) -> DigestRow:
    row = DigestState(state.store.registry, library).digest(date)
    if row is None:
        raise NotFoundError(f"no digest of {date} in library {library!r}")
    return row


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get(
    "",
    response_model=list[DigestInfo],
    summary="This key's library's digests, newest first",
    description="One entry per date the nightly digest (`ideapump digest`) ran for this "
    "library: runs, the last run's notes, the formats there are and their links.",
)
async def list_digests(
    request: Request, caller: Caller = Depends(get_caller), state: AppState = Depends(get_state)
) -> list[DigestInfo]:
    def run() -> list[DigestInfo]:
        rows = DigestState(state.store.registry, caller.library).digests()
        return [to_info(state.settings, row, _root(request)) for row in rows]

    return await asyncio.to_thread(run)


@router.get(
    "/{date}",
    response_model=DigestInfo,
    summary="One digest's metadata",
    description="404 `not_found` when this key's library has no digest of that date; 422 "
    "`invalid_request` when the date is not YYYY-MM-DD.",
)
async def get_digest(
    date: DigestDate,
    request: Request,
    caller: Caller = Depends(get_caller),
    state: AppState = Depends(get_state),
) -> DigestInfo:
    def run() -> DigestInfo:
        return to_info(state.settings, _row(state, caller.library, date), _root(request))

    return await asyncio.to_thread(run)


@router.get(
    "/{date}/file",
    summary="The digest itself, as Markdown or self-contained HTML",
    description="`format=md` answers `text/markdown`, `format=html` answers `text/html` (one "
    "file with inline CSS and SVG, shown inline by a browser). 404 `not_found` when the "
    "digest or that format's file does not exist.",
    response_class=Response,
    responses={
        200: {
            "description": "The digest file",
            "content": {
                "text/markdown": {"example": "# IdeaPump digest: lab, 2025-03-02\n\n..."},
                "text/html": {"example": "<!DOCTYPE html><html>...</html>"},
            },
        }
    },
)
async def get_digest_file(
    date: DigestDate,
    fmt: DigestFormat = Query("md", alias="format", description="md or html"),
    caller: Caller = Depends(get_caller),
    state: AppState = Depends(get_state),
) -> FileResponse:
    def run() -> dict[DigestFormat, Path]:
        return digest_files(state.settings, _row(state, caller.library, date))

    files = await asyncio.to_thread(run)
    if fmt not in files:
        there = ", ".join(files) or "none"
        raise NotFoundError(
            f"the {date} digest of library {caller.library!r} has no {fmt} file "
            f"(files there: {there})"
        )
    path = files[fmt]
    headers = {"X-Content-Type-Options": "nosniff"}
    if fmt == "html":
        headers["Content-Security-Policy"] = HTML_CSP
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        filename=path.name,
        content_disposition_type="inline",
        headers=headers,
    )
