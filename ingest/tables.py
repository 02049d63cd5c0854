"""CSV/TSV data summaries: a lab's own results as citable text.

The agent cannot reason over a raw table it never sees, and an embedding of
"3.2,4.1,..." retrieves nothing. So a table becomes text: page 1 is the
summary (shape, columns, per-column statistics), the following pages list the
rows in blocks so any row can be quoted. The parsed table itself is kept with
the document.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from ideapump.errors import DocumentError

ROWS_PER_PAGE = 40
MAX_ROWS_KEPT = 5000


def _to_float(value: str) -> float | None:
    try:
        x = float(value.replace(",", "")) if value.count(",") and value.count(".") else float(value)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _fmt(x: float) -> str:
    if x == int(x) and abs(x) < 1e9:
        return str(int(x))
    return f"{x:.4g}"


def summarize_column(name: str, values: list[str]) -> dict[str, Any]:
    present = [v for v in values if v.strip() not in {"", "NA", "NaN", "nan", "null", "-"}]
    numbers = [_to_float(v) for v in present]
    if present and all(n is not None for n in numbers):
        xs = [n for n in numbers if n is not None]
        return {
            "name": name,
            "type": "numeric",
            "n": len(xs),
            "missing": len(values) - len(xs),
            "mean": statistics.fmean(xs),
            "sd": statistics.stdev(xs) if len(xs) > 1 else None,
            "min": min(xs),
            "max": max(xs),
        }
    counts = Counter(v.strip() for v in present)
    return {
        "name": name,
        "type": "categorical",
        "n": len(present),
        "missing": len(values) - len(present),
        "levels": len(counts),
        "top": counts.most_common(5),
    }


def render_summary(
    path: Path, columns: list[str], rows: list[list[str]], summary: list[dict[str, Any]]
) -> str:
    lines = [
        f"Data summary: {path.stem}",
        f"Source file: {path.name} ({len(rows)} rows x {len(columns)} columns)",
        "Columns: " + ", ".join(columns),
        # Embeddings read "mean_pupil_change_mm" as one odd token; give them words too.
        "In words: " + "; ".join(c.replace("_", " ").replace(".", " ") for c in columns),
        "",
    ]
    for col in summary:
        if col["type"] == "numeric":
            sd = f"{col['sd']:.4g}" if col["sd"] is not None else "n/a"
            lines.append(
                f"Column {col['name']!r} (numeric): n = {col['n']}, mean = {col['mean']:.4g}, "
                f"sd = {sd}, min = {_fmt(col['min'])}, max = {_fmt(col['max'])}"
                + (f", missing = {col['missing']}" if col["missing"] else "")
            )
        else:
            top = "; ".join(f"{lvl!r} ({n})" for lvl, n in col["top"])
            lines.append(
                f"Column {col['name']!r} (categorical): n = {col['n']}, {col['levels']} levels; top: {top}"
                + (f", missing = {col['missing']}" if col["missing"] else "")
            )
    return "\n".join(lines)


def load_table(path: Path, text: str) -> tuple[dict[str, Any], list[str]]:
    """Parse CSV/TSV text; return the kept table and the rendered pages."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    if path.suffix.lower() == ".csv":
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    try:
        records = [
            r
            for r in csv.reader(io.StringIO(text), delimiter=delimiter)
            if any(c.strip() for c in r)
        ]
    except csv.Error as exc:
        raise DocumentError(f"malformed {path.suffix[1:].upper()}: {exc}") from None
    if len(records) < 2:
        raise DocumentError("table has no data rows (need a header row and at least one row)")
    columns = [c.strip() or f"column_{i + 1}" for i, c in enumerate(records[0])]
    width = len(columns)
    rows = [(r + [""] * width)[:width] for r in records[1:]]
    summary = [summarize_column(name, [r[i] for r in rows]) for i, name in enumerate(columns)]
    pages = [render_summary(path, columns, rows, summary)]
    for start in range(0, min(len(rows), MAX_ROWS_KEPT), ROWS_PER_PAGE):
        block = rows[start : start + ROWS_PER_PAGE]
        body = "\n".join(
            f"Row {start + j + 1}: "
            + ", ".join(f"{c} = {v}" for c, v in zip(columns, r, strict=True))
            for j, r in enumerate(block)
        )
        pages.append(f"Rows {start + 1}-{start + len(block)} of {path.name}\n{body}")
    table = {
        "columns": columns,
        "rows": rows[:MAX_ROWS_KEPT],
        "n_rows": len(rows),
        "summary": summary,
    }
    return table, pages
