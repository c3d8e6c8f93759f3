"""The settings of the web server: ``callbluff serve``'s options and their defaults
(one place for both), or the environment for ``uvicorn … --factory``.

No heavy import here: the CLI reads the defaults without loading the web app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Environment variable of the access token (``callbluff serve --token``).
TOKEN_ENV = "CALLBLUFF_TOKEN"


@dataclass(frozen=True)
class WebSettings:
    """Limits and modes of the server (``callbluff serve`` options; defaults here)."""

    max_body_bytes: int = 256 * 1024
    timeout_s: float = 60.0
    workers: int = 2
    queue_length: int = 8
    #: A worker process is replaced by a fresh one after this many jobs (memory flat).
    jobs_per_worker: int = 25
    store_path: Path | None = None
    read_only_store: bool = False
    token: str | None = None

    @classmethod
    def from_env(cls) -> WebSettings:
        """From ``CALLBLUFF_WEB_MAX_BODY``, ``_TIMEOUT``, ``_WORKERS``, ``_QUEUE``,
        ``_JOBS_PER_WORKER``, ``_STORE``, ``_READ_ONLY_STORE`` (``1``) and
        ``CALLBLUFF_TOKEN``."""
        default = cls()
        env = os.environ.get
        store = env("CALLBLUFF_WEB_STORE")
        return cls(
            max_body_bytes=int(env("CALLBLUFF_WEB_MAX_BODY", default.max_body_bytes)),
            timeout_s=float(env("CALLBLUFF_WEB_TIMEOUT", default.timeout_s)),
            workers=int(env("CALLBLUFF_WEB_WORKERS", default.workers)),
            queue_length=int(env("CALLBLUFF_WEB_QUEUE", default.queue_length)),
            jobs_per_worker=int(env("CALLBLUFF_WEB_JOBS_PER_WORKER",
                                    default.jobs_per_worker)),
            store_path=Path(store) if store else None,
            read_only_store=env("CALLBLUFF_WEB_READ_ONLY_STORE") == "1",
            token=env(TOKEN_ENV) or None,
        )


__all__ = ["TOKEN_ENV", "WebSettings"]
