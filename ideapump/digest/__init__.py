"""The nightly literature digest: what arrived, what it says, whether its statistics hold.

    from ideapump.digest import run_digest
    from ideapump.runtime import Runtime
    result = run_digest(Runtime.from_env(), library="mylab", watch=[Path("papers/")])
    print(result.files)

* :mod:`ideapump.digest.run` - :func:`run_digest` (ingest, compose, write, deliver) and
  :func:`list_digests`;
* :mod:`ideapump.digest.compose` - one document's entry (summary, audit, sparks, relations);
* :mod:`ideapump.digest.feeds` - arXiv, PubMed and bioRxiv feeds;
* :mod:`ideapump.digest.render` - Markdown and self-contained HTML;
* :mod:`ideapump.digest.deliver` - webhook and e-mail;
* :mod:`ideapump.digest.state` - what was digested, in the registry database.
"""

from __future__ import annotations

from ideapump.digest.models import Digest, DocDigest
from ideapump.digest.run import DigestResult, list_digests, load_digest, out_dir_for, run_digest

__all__ = [
    "Digest",
    "DigestResult",
    "DocDigest",
    "list_digests",
    "load_digest",
    "out_dir_for",
    "run_digest",
]
