"""Package namespaces that import their members on first use (PEP 562).

``from ideapump.results import Proposals`` runs ``ideapump/agent/__init__.py``
first. When that module imported every pipeline, a notebook that only wanted the
result models (the notebook client) loaded LangChain, SQLAlchemy and the retriever
too. A package lists what it exports and where it lives; :func:`exports` returns
the ``__getattr__`` that imports a member when someone first asks for it. Type
checkers read the same names from an ``if TYPE_CHECKING:`` import block.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: member name -> the module that defines it."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        importlib.import_module(package).__dict__[name] = value  # next time: no lookup
        return value

    return __getattr__
