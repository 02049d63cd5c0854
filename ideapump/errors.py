"""The one error hierarchy of IdeaPump.

Every error a user can meet is an ``IdeaPumpError``: it carries an HTTP status
(what the API answers), whether retrying the same call can help, and, where a
setting is the fix, the name of that setting. The FastAPI app and the CLI each
have exactly one handler that turns these into a clear message; anything else
is a bug.

    IdeaPumpError                 500  base
    ├── InputError                400  bad request: file, argument, name
    │   ├── NotFoundError         404  unknown document, library, conversation
    │   ├── UnsupportedFileError  415  a file type IdeaPump does not read
    │   └── DocumentError         422  a file that cannot be read (encrypted, corrupt,
    │                                  scanned without text, empty, not UTF-8, too big)
    ├── UnauthorizedError         401  missing, unknown or revoked API key
    ├── PayloadTooLargeError      413  an upload over IDEAPUMP_SERVER__MAX_UPLOAD_MB
    ├── RateLimitedError          429  over the key's requests per minute  (retry)
    ├── BusyError                 503  every generation slot is taken  (retry)
    ├── PromptError               500  a prompt file missing or rendered wrongly (a bug)
    ├── FeedError                 502  a literature feed (arXiv, PubMed, bioRxiv) failed
    ├── ConfigError               500  a setting is missing or wrong (names the setting)
    │   └── EmbeddingMismatchError 409  store built with another embedding model
    ├── StoreError                503  Chroma or the registry database is unreachable  (retry)
    ├── StorageFullError          507  the disk holding HOME (or the database) is full
    ├── EmbeddingError            502  embedding endpoint failed
    └── LLMError                  502  the language model failed
        ├── LLMAuthError          502  401/403 from the endpoint: the API key
        ├── LLMUnavailableError   503  connection refused / 5xx / local server down  (retry)
        ├── LLMRateLimitError     429  the endpoint rate-limited us  (retry)
        ├── LLMTimeoutError       504  no answer within the time-out  (retry)
        ├── LLMContextError       413  the prompt does not fit the model's context
        └── LLMOutputError        502  output never validated within the retry bound
"""

from __future__ import annotations

from typing import ClassVar


class IdeaPumpError(Exception):
    status_code: ClassVar[int] = 500
    retryable: ClassVar[bool] = False
    #: A short machine-readable name for the API's error JSON.
    type_name: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.setting = setting

    def __str__(self) -> str:
        if self.setting and self.setting not in self.message:
            return f"{self.message} (setting: {self.setting})"
        return self.message

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"type": self.type_name, "message": str(self)}
        if self.setting:
            body["setting"] = self.setting
        return body


class InputError(IdeaPumpError):
    status_code = 400
    type_name = "invalid_request"


class NotFoundError(InputError):
    status_code = 404
    type_name = "not_found"


class UnsupportedFileError(InputError):
    status_code = 415
    type_name = "unsupported_file"


class DocumentError(InputError):
    status_code = 422
    type_name = "unreadable_document"


class ConfigError(IdeaPumpError):
    status_code = 500
    type_name = "configuration_error"


class EmbeddingMismatchError(ConfigError):
    status_code = 409
    type_name = "embedding_mismatch"


class StoreError(IdeaPumpError):
    status_code = 503
    retryable = True
    type_name = "store_unavailable"


class StorageFullError(IdeaPumpError):
    status_code = 507
    type_name = "storage_full"


class EmbeddingError(IdeaPumpError):
    status_code = 502
    type_name = "embedding_error"


class LLMError(IdeaPumpError):
    status_code = 502
    type_name = "llm_error"


class LLMAuthError(LLMError):
    type_name = "llm_auth_error"


class LLMUnavailableError(LLMError):
    status_code = 503
    retryable = True
    type_name = "llm_unavailable"


class LLMRateLimitError(LLMError):
    status_code = 429
    retryable = True
    type_name = "llm_rate_limited"


class LLMTimeoutError(LLMError):
    status_code = 504
    retryable = True
    type_name = "llm_timeout"


class LLMContextError(LLMError):
    status_code = 413
    type_name = "llm_context_too_long"


class LLMOutputError(LLMError):
    type_name = "llm_invalid_output"


class UnauthorizedError(IdeaPumpError):
    status_code = 401
    type_name = "unauthorized"


class PayloadTooLargeError(IdeaPumpError):
    status_code = 413
    type_name = "payload_too_large"


class RateLimitedError(IdeaPumpError):
    status_code = 429
    retryable = True
    type_name = "rate_limited"

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BusyError(IdeaPumpError):
    status_code = 503
    retryable = True
    type_name = "busy"


class PromptError(IdeaPumpError):
    """A prompt file is missing, or rendered with the wrong variables (a bug, not user input)."""

    type_name = "prompt_error"


class FeedError(IdeaPumpError):
    status_code = 502
    type_name = "feed_error"


def error_types() -> dict[str, type[IdeaPumpError]]:
    """Every error class by its ``type_name`` (what the API's error JSON carries)."""
    found: dict[str, type[IdeaPumpError]] = {IdeaPumpError.type_name: IdeaPumpError}
    todo = list(IdeaPumpError.__subclasses__())
    while todo:
        cls = todo.pop()
        found.setdefault(cls.type_name, cls)
        todo.extend(cls.__subclasses__())
    return found
