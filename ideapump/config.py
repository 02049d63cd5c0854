"""One settings tree for the whole service, built once and passed down.

Every field can be set from the environment (or a ``.env`` file) with the
``IDEAPUMP_`` prefix and ``__`` between levels, e.g. ``IDEAPUMP_HOME``,
``IDEAPUMP_LLM__BASE_URL``, ``IDEAPUMP_STORE__CHROMA_MODE``. ``.env.example``
lists them all.

Settings are plain data: the services they describe are built by the
composition root, :class:`ideapump.runtime.Runtime`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ideapump.errors import InputError

LIBRARY_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def check_library_name(name: str) -> str:
    """Library names become Chroma collection names, so keep them to a safe alphabet."""
    if not LIBRARY_NAME.match(name):
        raise InputError(
            f"library name {name!r} is not valid: use 1-63 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(_Section):
    chroma_mode: Literal["embedded", "http"] = Field(
        "embedded",
        description="'embedded': a PersistentClient under HOME/chroma. 'http': a Chroma server "
        "(`chroma run`), shared by several API workers or machines.",
    )
    chroma_host: str = Field("127.0.0.1", description="Chroma server host (chroma_mode=http).")
    chroma_port: int = Field(8000, description="Chroma server port (chroma_mode=http).")
    chroma_ssl: bool = Field(False, description="Use HTTPS to reach the Chroma server.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the document registry (and, later, conversations and "
        "keys). Default: SQLite at HOME/ideapump.db. Use postgresql+psycopg://... to scale out.",
    )
    migrate_on_start: bool = Field(
        True,
        description="Bring the database schema up to date when a process opens it. False: "
        "refuse an outdated schema; an operator runs `ideapump db upgrade` instead.",
    )


class EmbeddingSettings(_Section):
    provider: Literal["local", "openai"] = Field(
        "local",
        description="'local': all-MiniLM-L6-v2 (int8 ONNX) on the CPU, offline. "
        "'openai': any OpenAI-compatible /v1/embeddings endpoint.",
    )
    model: str = Field(
        "text-embedding-3-small",
        description="Embedding model name for provider=openai (the local model is fixed).",
    )
    base_url: str | None = Field(None, description="Base URL for provider=openai.")
    api_key: SecretStr | None = Field(None, description="API key for provider=openai.")
    batch_size: int = Field(
        32, ge=1, le=2048, description="Chunks per embedding request (provider=openai)."
    )
    local_run_size: int = Field(
        1,
        ge=1,
        le=256,
        description="Chunks per ONNX run of the local model. 1 needs no padding and keeps "
        "attention in cache: fastest on CPU (bench/ingest.py).",
    )
    threads: int = Field(
        0,
        ge=0,
        description="Cores for the local model (0: all): that many single-threaded sessions "
        "side by side at run size 1, else one session's intra-op threads.",
    )
    timeout_s: float = Field(60.0, gt=0, description="Time-out per embedding request (openai).")
    max_retries: int = Field(3, ge=0, description="Retries per embedding request (openai).")


class IngestSettings(_Section):
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are refused.")
    chunk_tokens: int = Field(
        240,
        ge=32,
        le=256,
        description="Chunk size in MiniLM word pieces; the local model reads at most 256.",
    )
    chunk_overlap: int = Field(40, ge=0, le=128, description="Overlap between chunks, in tokens.")
    file_time_budget_s: float = Field(
        120.0,
        gt=0,
        description="Time one file may take to read (extract, chunk, audit) in the extraction "
        "worker; a file over it (a PDF with a huge page count or deeply nested objects) fails.",
    )
    file_memory_mb: int = Field(
        2048,
        ge=0,
        description="Address space of the extraction worker, in MB: a file needing more fails "
        "alone. 0: no limit.",
    )


class LLMSettings(_Section):
    base_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server...). "
        "Unset: IdeaPump runs its offline default model locally.",
    )
    api_key: SecretStr | None = Field(None, description="API key for base_url.")
    model: str | None = Field(
        None, description="Model name sent to base_url (required when base_url is set)."
    )
    temperature: float = Field(0.3, ge=0, le=2, description="Sampling temperature.")
    judge_temperature: float = Field(
        0.0,
        ge=0,
        le=2,
        description="Sampling temperature of narrow judgements (weigh's stance of one "
        "passage): 0 gives the same answer on every run.",
    )
    timeout_s: float = Field(180.0, gt=0, description="Time-out per model request.")
    max_retries: int = Field(
        2, ge=0, le=10, description="Retries with backoff on 429/5xx/time-out."
    )
    context_size: int = Field(8192, ge=1024, description="Context window the prompts must fit.")
    max_output_tokens: int = Field(1024, ge=16, description="Cap on generated tokens per call.")
    local_model: Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"] = Field(
        "qwen2.5-coder-1.5b", description="Offline default model served by llama.cpp (xllamacpp)."
    )
    local_threads: int = Field(
        0, ge=0, description="CPU threads for the local model (0: all cores)."
    )
    local_speculative: Literal["none", "ngram"] = Field(
        "none",
        description="Speculative decoding in the local server: 'ngram' drafts tokens from "
        "n-grams already in the context (quotes copied from passages), checked by the model "
        "in one batch; the output is the same, only faster where drafts are accepted.",
    )
    structured_output_retries: int = Field(
        2, ge=0, le=5, description="Extra attempts when the model's JSON does not validate."
    )
    structured_output: Literal["auto", "json_schema", "json"] = Field(
        "auto",
        description="'json_schema': constrained decoding via response_format (llama.cpp, vLLM, "
        "OpenAI). 'json': schema in the prompt, output validated. 'auto': json_schema, falling "
        "back to 'json' if the endpoint rejects it. Both validate and retry on bad JSON.",
    )
    token_cap_field: Literal["auto", "max_tokens", "max_completion_tokens", "both"] = Field(
        "auto",
        description="Request field carrying max_output_tokens. 'auto': max_completion_tokens for "
        "api.openai.com, both fields elsewhere (llama.cpp, vLLM, Ollama read max_tokens).",
    )
    local_start_timeout_s: float = Field(
        300.0, gt=0, description="How long to wait for the local model server to load."
    )
    local_max_crashes: int = Field(
        3,
        ge=1,
        description="Crashes of the local model server within local_crash_window_s after which "
        "IdeaPump stops restarting it and reports the log tail instead.",
    )
    local_crash_window_s: float = Field(
        300.0, gt=0, description="The window over which local model server crashes are counted."
    )
    local_restart_backoff_s: float = Field(
        1.0,
        ge=0,
        description="Wait before restarting a crashed local model server; doubles with each "
        "crash in the window (at most 30 s).",
    )
    local_health_interval_s: float = Field(
        5.0,
        ge=0,
        description="How often the local model server's /health is checked while it runs "
        "(0: only when a request fails).",
    )
    local_wedged_after_s: float = Field(
        30.0,
        gt=0,
        description="A running local model server whose /health fails this long is killed and "
        "restarted.",
    )


class StatsSettings(_Section):
    alpha: float = Field(0.05, gt=0, lt=1, description="Significance level for decision errors.")
    p_zero_is_error: bool = Field(
        True,
        description="Count a printed 'p = .000' as an error, as statcheck does (a p-value is "
        "never zero; it should read p < .001). False reads it as a rounded p < .0005 and only "
        "notes the misprint. 'p < .000' is an error either way.",
    )


class ServerSettings(_Section):
    max_upload_mb: float = Field(
        200.0, gt=0, description="Largest upload request (all files together), in MB."
    )
    rate_limit_per_minute: int = Field(
        120,
        ge=1,
        description="Requests per minute allowed per API key (or per client without keys).",
    )
    max_concurrent_generations: int = Field(
        8, ge=1, description="Replies generated at once; further chat requests answer 503 busy."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (browser chat UIs elsewhere)."
    )
    public_url: str | None = Field(
        None,
        description="Base URL at which users' browsers reach this server (e.g. "
        "https://ideapump.lab.org), for the citation links sent to chat clients. "
        "Default: the address each request came to.",
    )
    search_k: int = Field(6, ge=1, le=50, description="Passages retrieved per chat reply.")
    max_concurrent_retrievals: int = Field(
        0,
        ge=0,
        description="Retrievals (query embedding, vector and BM25 search) one server process "
        "runs at once; the others wait their turn. 0: no limit. 1 keeps replies that are "
        "already streaming at pace on an overloaded small machine, but first tokens come "
        "later (README, 'The collaborator service').",
    )


class DigestSettings(_Section):
    out_dir: Path | None = Field(
        None, description="Where digests are written. Default: HOME/digests/<library>."
    )
    format: Literal["md", "html", "both"] = Field(
        "both", description="Digest files to write: Markdown, self-contained HTML, or both."
    )
    watch: list[Path] = Field(
        default_factory=list,
        description="Folders ingested before every digest (JSON list), besides --watch.",
    )
    summary_passages: int = Field(
        6, ge=2, le=20, description="Passages of a new document the summary is written from."
    )
    related_passages: int = Field(
        6, ge=1, le=20, description="Passages of the lab's other documents shown for sparks."
    )
    max_sparks: int = Field(3, ge=1, le=3, description="Idea sparks asked for per new document.")
    link_min_similarity: float = Field(
        0.3,
        ge=-1,
        le=1,
        description="Least cosine similarity (the embedding model's) between a spark's two "
        "passages, and between a spark's idea or a relation's claim and each passage it "
        "cites; below it the link is not shown.",
    )
    citation_retries: int = Field(
        0, ge=0, le=3, description="Re-asks when the model's citations do not resolve."
    )
    max_attempts: int = Field(
        3, ge=1, description="Runs that may fail on one document before it is given up."
    )
    feed_max_items: int = Field(5, ge=1, le=100, description="New items taken per feed per run.")
    feed_days: int = Field(
        7, ge=1, le=365, description="How far back feeds look (PubMed, bioRxiv), in days."
    )
    feed_delay_s: float = Field(
        3.0, ge=0, description="Pause between requests to one feed host (arXiv asks for 3 s)."
    )
    feed_retries: int = Field(3, ge=0, le=10, description="Retries per feed request (5xx, 429).")
    feed_timeout_s: float = Field(30.0, gt=0, description="Time-out per feed request.")
    feed_fetch_pdf: bool = Field(
        False, description="Also ingest the open-access PDF where the feed links one (arXiv)."
    )
    contact_email: str | None = Field(
        None, description="Sent to PubMed E-utilities as 'email' (NCBI asks tools to give one)."
    )
    ncbi_api_key: SecretStr | None = Field(
        None, description="NCBI API key: raises the PubMed rate limit from 3 to 10 requests/s."
    )
    public_url: str | None = Field(
        None, description="Base URL where digests are served; webhooks then carry a link."
    )
    webhook_url: SecretStr | None = Field(
        None, description="Slack-compatible incoming webhook that gets each digest."
    )
    smtp_host: str | None = Field(None, description="SMTP server for e-mailing the digest.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP login (none: no AUTH).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_ssl: bool = Field(False, description="Connect with implicit TLS (port 465).")
    mail_from: str | None = Field(None, description="From address of digest e-mails.")
    mail_to: list[str] = Field(
        default_factory=list, description="Recipients of digest e-mails (JSON list)."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="IDEAPUMP_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    home: Path = Field(
        Path(".ideapump"),
        description="Data dir: embedded Chroma, SQLite, BM25 index files, models, logs.",
    )
    library: str = Field("default", description="The lab's namespace used when none is given.")
    store: StoreSettings = Field(default_factory=StoreSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    stats: StatsSettings = Field(default_factory=StatsSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)

    @field_validator("library")
    @classmethod
    def _library(cls, v: str) -> str:
        return check_library_name(v)

    # -- paths ---------------------------------------------------------------
    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def database_url(self) -> str:
        if self.store.database_url:
            return self.store.database_url
        return f"sqlite:///{(self.home / 'ideapump.db').resolve()}"


def get_settings(**overrides: Any) -> Settings:
    """Build the settings from the environment, with keyword overrides on top."""
    return Settings(**overrides)
