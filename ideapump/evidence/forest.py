"""Forest plot of a pooled estimate: inline SVG (HTML, Markdown) and PNG (API, notebooks).

Both come from one layout (:func:`layout`), a list of drawing primitives, so the
two renderings show the same thing: one row per paper (square sized by its
random-effects weight, line for its 95% CI, red with "audit flag" when the
auditor flagged the numbers), then diamonds for the DerSimonian-Laird,
Paule-Mandel and (when anything was flagged) audited estimates, a line at the
null and an axis signed toward the claim. PNG needs Pillow.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from html import escape

from ideapump.evidence.models import Pooled, PoolFit

WIDTH, ROW, TOP, LABEL_W, RIGHT_W = 760, 22, 34, 300, 150
_PLOT_W = WIDTH - LABEL_W - RIGHT_W


@dataclass(frozen=True)
class Shape:
    kind: str  # "line", "rect", "poly", "text"
    points: tuple[float, ...]
    color: str = "#222"
    text: str = ""
    anchor: str = "start"  # text: start | middle | end
    bold: bool = False


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _axis_name(p: Pooled) -> str:
    unit = {"smd": "d", "ratio": "ln ratio", "correlation": "Fisher z"}.get(p.family, "effect")
    return f"{unit}, signed toward the claim (<- against | for ->)"


def layout(p: Pooled) -> tuple[int, int, list[Shape]]:
    """(width, height, shapes) of the forest plot of ``p``."""
    fits: list[tuple[str, PoolFit]] = [
        ("Random effects (DL)", p.dl),
        ("Paule-Mandel", p.alternative),
    ]
    if p.without_flagged is not None:
        fits.append(("Without flagged (DL)", p.without_flagged))
    lows = [
        e.oriented - 1.96 * math.sqrt(e.vi) for e in p.effects if e.oriented is not None and e.vi
    ]
    highs = [
        e.oriented + 1.96 * math.sqrt(e.vi) for e in p.effects if e.oriented is not None and e.vi
    ]
    lo = min([0.0, *lows, *(f.ci_low for _, f in fits)])
    hi = max([0.0, *highs, *(f.ci_high for _, f in fits)])
    pad = (hi - lo) * 0.05 or 0.5
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        return LABEL_W + (v - lo) / (hi - lo) * _PLOT_W

    shapes: list[Shape] = [
        Shape("text", (8, 20), text=f"Pooled {p.label}: {p.k} papers", bold=True),
        Shape("text", (WIDTH - 8, 20), text="estimate [95% CI]", anchor="end", bold=True),
    ]
    w_re = [1 / (e.vi + p.dl.tau2) for e in p.effects if e.vi]
    w_max = max(w_re) if w_re else 1.0
    y = TOP
    for e in p.effects:
        y += ROW
        assert e.oriented is not None and e.vi is not None
        se = math.sqrt(e.vi)
        a, b = e.oriented - 1.96 * se, e.oriented + 1.96 * se
        color = "#b00020" if e.flagged else "#222"
        label = _short(e.title or e.doc_id, 44) + ("  [audit flag]" if e.flagged else "")
        shapes.append(Shape("text", (8, y + 4), color=color, text=label))
        shapes.append(Shape("line", (x(a), y, x(b), y), color=color))
        half = 3 + 5 * math.sqrt((1 / (e.vi + p.dl.tau2)) / w_max)
        shapes.append(Shape("rect", (x(e.oriented) - half, y - half, 2 * half, 2 * half), color))
        shapes.append(
            Shape(
                "text",
                (WIDTH - 8, y + 4),
                color=color,
                text=f"{e.oriented:.2f} [{a:.2f}, {b:.2f}]",
                anchor="end",
            )
        )
    y += ROW // 2
    shapes.append(Shape("line", (8, y, WIDTH - 8, y), color="#999"))
    for name, f in fits:
        y += ROW
        shapes.append(Shape("text", (8, y + 4), text=name, bold=True))
        shapes.append(
            Shape(
                "poly",
                (x(f.ci_low), y, x(f.estimate), y - 7, x(f.ci_high), y, x(f.estimate), y + 7),
                color="#1f4e9a",
            )
        )
        shapes.append(
            Shape(
                "text",
                (WIDTH - 8, y + 4),
                text=f"{f.estimate:.2f} [{f.ci_low:.2f}, {f.ci_high:.2f}]",
                anchor="end",
                bold=True,
            )
        )
    bottom = y + ROW
    shapes.append(Shape("line", (x(0.0), TOP + 6, x(0.0), bottom), color="#666"))
    shapes.append(Shape("line", (LABEL_W, bottom, LABEL_W + _PLOT_W, bottom), color="#666"))
    for t in _ticks(lo, hi):
        shapes.append(Shape("line", (x(t), bottom, x(t), bottom + 4), color="#666"))
        shapes.append(Shape("text", (x(t), bottom + 16), text=f"{t:g}", anchor="middle"))
    shapes.append(
        Shape(
            "text",
            (LABEL_W + _PLOT_W / 2, bottom + 32),
            text=f"{_axis_name(p)}; I² = {p.dl.i2:.0%}, τ² = {p.dl.tau2:.3f}",
            anchor="middle",
        )
    )
    return WIDTH, int(bottom + 42), shapes


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = 10 ** math.floor(math.log10(span / 4))
    for m in (1, 2, 5, 10):
        if span / (step * m) <= 6:
            step *= m
            break
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 6) for i in range(int((hi - first) / step) + 1)]


def svg(p: Pooled) -> str:
    """The forest plot as one self-contained ``<svg>`` element (no scripts, no links)."""
    width, height, shapes = layout(p)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" '
        'role="img" aria-label="forest plot">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for s in shapes:
        pts = [f"{v:.1f}" for v in s.points]
        if s.kind == "line":
            out.append(
                f'<line x1="{pts[0]}" y1="{pts[1]}" x2="{pts[2]}" y2="{pts[3]}" stroke="{s.color}"/>'
            )
        elif s.kind == "rect":
            out.append(
                f'<rect x="{pts[0]}" y="{pts[1]}" width="{pts[2]}" height="{pts[3]}" fill="{s.color}"/>'
            )
        elif s.kind == "poly":
            coords = " ".join(f"{pts[i]},{pts[i + 1]}" for i in range(0, len(pts), 2))
            out.append(f'<polygon points="{coords}" fill="{s.color}"/>')
        else:
            weight = ' font-weight="bold"' if s.bold else ""
            out.append(
                f'<text x="{pts[0]}" y="{pts[1]}" fill="{s.color}" text-anchor="{s.anchor}"'
                f"{weight}>{escape(s.text)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)


def png(p: Pooled, scale: int = 2) -> bytes:
    """The forest plot as PNG bytes (``scale`` 2: sharp on high-density screens)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height, shapes = layout(p)
    img = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=12 * scale)
    for s in shapes:
        pts = [v * scale for v in s.points]
        if s.kind == "line":
            draw.line(pts, fill=s.color, width=scale)
        elif s.kind == "rect":
            draw.rectangle((pts[0], pts[1], pts[0] + pts[2], pts[1] + pts[3]), fill=s.color)
        elif s.kind == "poly":
            draw.polygon(pts, fill=s.color)
        else:
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
            draw.text((pts[0], pts[1]), s.text, fill=s.color, font=font, anchor=anchor)
            if s.bold:  # the default font has no bold face: overdraw one pixel across
                draw.text((pts[0] + 1, pts[1]), s.text, fill=s.color, font=font, anchor=anchor)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
