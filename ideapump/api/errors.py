"""The API's one error shape: ``{"error": {"type", "message", "retry"}}`` with the right status.

Every failure goes through :func:`error_response`: IdeaPumpErrors carry their
own status and type; request validation errors answer 422 ``invalid_request``
naming the field; Starlette's HTTP errors (404 for an unknown route, 405...)
keep their status; anything else is logged with its traceback server-side and
answers a plain 500 ``internal_error`` without one.

``retry`` says whether the same request can succeed later unchanged: true for a
store or model that is down or restarting (503), a rate limit (429) or a time-out
(504), which also carry a ``Retry-After`` header (seconds); false otherwise.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ideapump.errors import (
    BusyError,
    IdeaPumpError,
    PayloadTooLargeError,
    RateLimitedError,
    UnauthorizedError,
)

__all__ = [
    "ERROR_RESPONSES",
    "BusyError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "UnauthorizedError",
    "error_body",
    "error_event",
    "error_response",
    "install_error_handlers",
]

log = logging.getLogger("ideapump.api")


_HTTP_TYPES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_body(
    type_name: str, message: str, *, retry: bool = False, **extra: object
) -> dict[str, object]:
    return {"error": {"type": type_name, "message": message, "retry": retry, **extra}}


#: Seconds a client should wait before retrying, by kind of failure: a store that
#: went away is usually back within seconds (a restart, a fail-over); a crashed
#: local model reloads in a few; a full generation queue drains as replies end.
RETRY_AFTER_S = {"store_unavailable": 5, "llm_unavailable": 5, "busy": 2, "not_ready": 5}
DEFAULT_RETRY_AFTER_S = 5


def retry_after(exc: IdeaPumpError) -> int:
    if isinstance(exc, RateLimitedError):
        return max(1, round(exc.retry_after))
    return RETRY_AFTER_S.get(exc.type_name, DEFAULT_RETRY_AFTER_S)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def error_response(exc: Exception) -> JSONResponse:
    """The JSON response for any exception (also used inside streams for their error event)."""
    headers: dict[str, str] = {}
    body: dict[str, object]
    if isinstance(exc, IdeaPumpError):
        status, body = exc.status_code, {"error": {**exc.to_dict(), "retry": exc.retryable}}
        if exc.retryable:
            headers["Retry-After"] = str(retry_after(exc))
        if isinstance(exc, UnauthorizedError):
            headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, RequestValidationError):
        status, body = 422, error_body("invalid_request", _validation_message(exc))
    elif isinstance(exc, StarletteHTTPException):
        status = exc.status_code
        body = error_body(
            _HTTP_TYPES.get(status, "http_error"), str(exc.detail), retry=status in (429, 503)
        )
        headers.update(exc.headers or {})
    else:
        log.exception("unexpected error", exc_info=exc)
        status = 500
        body = error_body("internal_error", "internal server error (see the server log)")
    return JSONResponse(body, status_code=status, headers=headers)


def error_event(exc: Exception) -> dict[str, object]:
    """The ``error`` payload of a stream that failed after it started."""
    response = error_response(exc)
    return json.loads(bytes(response.body))["error"]


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one handler for every kind of failure."""
    app.add_exception_handler(IdeaPumpError, _handle)
    app.add_exception_handler(RequestValidationError, _handle)
    app.add_exception_handler(StarletteHTTPException, _handle)
    app.add_exception_handler(Exception, _handle)


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {
        "description": desc,
        "content": {
            "application/json": {"example": error_body(kind, example, retry=code == 429)},
        },
    }
    for code, desc, kind, example in (
        (401, "Missing or unknown API key", "unauthorized", "missing API key"),
        (404, "Not found in this key's library", "not_found", "no document 'ab12' in 'lab'"),
        (422, "Invalid request", "invalid_request", "query: Field required"),
        (429, "Rate limited", "rate_limited", "too many requests; retry in 3 s"),
    )
}
ERROR_RESPONSES[503] = {
    "description": "A store or the model is down or restarting; retry after `Retry-After` s",
    "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}},
    "content": {
        "application/json": {
            "example": error_body(
                "store_unavailable",
                "registry database error: connection refused (setting: "
                "IDEAPUMP_STORE__DATABASE_URL)",
                retry=True,
            )
        }
    },
}
