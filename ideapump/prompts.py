"""Prompt files, loaded by name, with checked variables and delimited data blocks.

Prompts live in the top-level ``prompts/`` directory, one Markdown file each:
``load_prompt("persona")`` reads ``prompts/persona.md``. The package reaches them
as the resource folder ``ideapump/prompt_files`` (a link to ``prompts/`` in the
repository, real files in the wheel), through ``importlib.resources``, so an
installed IdeaPump renders its prompts wherever it runs.

Variables
---------
A template names its variables with double braces: ``{{question}}``,
``{{ documents }}`` (identifier, optional spaces). Nothing else is special, so
JSON examples (``{"a": 1}``), LaTeX (``$p < .05$``) and single braces stay
literal. :meth:`Prompt.render` requires exactly the variables the template
uses: a missing or an unexpected one is a :class:`PromptError`. Substitution is
one pass, so a value that itself contains ``{{x}}`` is left as it is.

Data blocks
-----------
Untrusted text (retrieved passages, uploaded documents, lab notes) must reach
the model as material, never as instructions. :func:`data_block` wraps items in
``<documents><document id=... title=... page=...>...</document></documents>``;
inside the text, anything that looks like an opening or closing tag of the
block (``<documents``, ``</document``, in any case) has its ``<`` replaced by
``&lt;``, so a document cannot close the block and speak outside it. Attribute
values are XML-escaped. The persona prompt tells the model that everything
inside the block is data to analyse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ideapump.errors import PromptError

PROMPTS_DIR: Traversable = files("ideapump").joinpath("prompt_files")

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass(frozen=True)
class Prompt:
    name: str
    template: str

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(_VAR.findall(self.template))

    def render(self, **values: object) -> str:
        """The template with every ``{{var}}`` replaced; the names must match exactly."""
        expected = self.variables
        missing = expected - values.keys()
        unexpected = values.keys() - expected
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(sorted(missing))}")
            if unexpected:
                parts.append(f"unexpected {', '.join(sorted(unexpected))}")
            raise PromptError(
                f"prompt {self.name!r}: {'; '.join(parts)} "
                f"(it uses: {', '.join(sorted(expected)) or 'no variables'})"
            )
        return _VAR.sub(lambda m: str(values[m[1]]), self.template)


def prompt_path(name: str, directory: Path | Traversable | None = None) -> Traversable:
    if not _NAME.match(name):
        raise PromptError(f"invalid prompt name {name!r}: use lowercase letters, digits and '_'")
    return (directory or PROMPTS_DIR).joinpath(f"{name}.md")


def load_prompt(name: str, directory: Path | Traversable | None = None) -> Prompt:
    """Read ``prompts/<name>.md``."""
    path = prompt_path(name, directory)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt named {name!r} (looked for {path})") from None
    return Prompt(name=name, template=text.strip() + "\n")


def render_prompt(name: str, directory: Path | Traversable | None = None, **values: object) -> str:
    """``load_prompt(name).render(**values)``."""
    return load_prompt(name, directory).render(**values)


def available_prompts(directory: Path | Traversable | None = None) -> list[str]:
    folder = directory or PROMPTS_DIR
    names = (p.name.removesuffix(".md") for p in folder.iterdir() if p.name.endswith(".md"))
    return sorted(n for n in names if _NAME.match(n))


def escape_data(text: str, tags: Iterable[str] = ("documents", "document")) -> str:
    """Neutralise anything in ``text`` that could open or close the data block."""
    names = "|".join(re.escape(t) for t in sorted(set(tags), key=len, reverse=True))
    return re.sub(rf"<(\s*/?\s*(?:{names})\b)", r"&lt;\1", text, flags=re.IGNORECASE)


_NO_GROUP = object()


def _attr(value: object) -> str:
    return (
        str(value)
        .replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
    )


def data_block(
    items: Iterable[Mapping[str, object]],
    *,
    tag: str = "documents",
    item_tag: str = "document",
    text_key: str = "text",
    group: str | None = None,
    group_tag: str = "paper",
) -> str:
    """Wrap untrusted texts in a delimited block the model treats as data.

    Each item is a mapping with ``text`` (the untrusted content) and any other
    keys as attributes, e.g. ``{"id": "dubois2021#p3", "title": ..., "page": 3,
    "text": ...}``. Attributes with value None are left out. An empty ``items``
    gives an empty block, which the prompts read as "nothing was retrieved".

    ``group``: consecutive items with the same value of this key share one
    ``<group_tag group="...">`` element and leave the key out of their own
    attributes: a paper's title written once, not once per sentence quoted from it
    (a third of the evidence block's tokens, read by a 2-core CPU before every answer).
    """
    for name in (tag, item_tag, group_tag):
        if not re.fullmatch(r"[a-z][a-z_-]*", name):
            raise PromptError(f"invalid data block tag {name!r}")
    if group is not None and not re.fullmatch(r"[a-z][a-z_-]*", group):
        raise PromptError(f"invalid data block group key {group!r}")
    tags = (tag, item_tag, group_tag) if group else (tag, item_tag)
    lines = [f"<{tag}>"]
    current: object = _NO_GROUP
    for item in items:
        if group is not None and item.get(group) != current:
            if current is not _NO_GROUP:
                lines.append(f"</{group_tag}>")
            current = item.get(group)
            lines.append(f'<{group_tag} {group}="{_attr(current)}">')
        attrs = " ".join(
            f'{k}="{_attr(v)}"'
            for k, v in item.items()
            if k not in (text_key, group) and v is not None
        )
        text = escape_data(str(item.get(text_key, "")), tags)
        lines.append(f"<{item_tag}{' ' + attrs if attrs else ''}>\n{text}\n</{item_tag}>")
    if current is not _NO_GROUP:
        lines.append(f"</{group_tag}>")
    lines.append(f"</{tag}>")
    return "\n".join(lines)
