"""Server-side SVG charts for the PDF report (WeasyPrint does not run
JavaScript, so Chart.js cannot draw there).

The report needs two simple kinds: lines over months and horizontal bars.
They are a few dozen lines of SVG each, so we draw them here rather than
add matplotlib (tens of megabytes with numpy) for it. Colours are the
Okabe–Ito palette, distinguishable with colour-blindness; lines also differ
in dash pattern so that they survive black-and-white printing. Hidden
(suppressed) values are left out: a gap in a line, no bar.
"""
from math import ceil, floor, log10

from django.utils.html import escape
from django.utils.safestring import mark_safe

from situation.stats import fmt_number

COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
DASHES = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", ""]
FONT = "DejaVu Sans, Arial, sans-serif"


def _axis(value: float) -> tuple[float, list[float]]:
    """A round axis maximum at or above value and its ticks (steps of 1, 2,
    2.5 or 5 times a power of ten, about five of them)."""
    if value <= 0:
        return 1, [0, 1]
    raw = value / 5
    magnitude = 10 ** floor(log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1:
        step = 1
    top = step * ceil(value / step)
    return top, [step * i for i in range(int(round(top / step)) + 1)]


def _open(width: int, height: int, title: str) -> str:
    """The svg element with its text alternative: aria-label for HTML, and
    <title>, which a tagged PDF takes as the figure's alternate text."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" class="chart-svg"><title>{escape(title)}</title>')


def line_chart(labels: list[str], datasets: list[dict], title: str, width: int = 640, height: int = 260) -> str:
    left, right, top_pad, bottom = 44, 10, 10, 46
    legend_rows = (len(datasets) + 2) // 3
    height += legend_rows * 16
    plot_w = width - left - right
    plot_h = height - top_pad - bottom - legend_rows * 16
    values = [v for d in datasets for v in d["data"] if v is not None]
    y_max, ticks = _axis(max(values) if values else 1)
    n = max(len(labels), 1)

    def x(i):
        return left + (plot_w * (i + 0.5) / n)

    def y(v):
        return top_pad + plot_h - plot_h * v / y_max

    parts = [_open(width, height, title)]
    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                     f'stroke="#d5d9e0" stroke-width="1"/>')
        parts.append(f'<text x="{left - 4}" y="{y(t) + 3:.1f}" text-anchor="end" font-size="9" '
                     f'font-family="{FONT}" fill="#1b1f24">{escape(fmt_number(t, 0 if t == int(t) else 1))}</text>')
    step = max(1, (n + 11) // 12)
    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{top_pad + plot_h + 14}" text-anchor="middle" font-size="9" '
                         f'font-family="{FONT}" fill="#1b1f24">{escape(label)}</text>')
    for k, d in enumerate(datasets):
        colour, dash = COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)]
        segment = []
        segments = []
        for i, v in enumerate(d["data"]):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append((x(i), y(v)))
        if segment:
            segments.append(segment)
        for seg in segments:
            points = " ".join(f"{px:.1f},{py:.1f}" for px, py in seg)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
            for px, py in seg:
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.2" fill="{colour}"/>')
    legend_y = top_pad + plot_h + 32
    for k, d in enumerate(datasets):
        col, row = k % 3, k // 3
        lx = left + col * (plot_w / 3)
        ly = legend_y + row * 16
        colour, dash = COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{lx:.1f}" x2="{lx + 22:.1f}" y1="{ly - 3}" y2="{ly - 3}" stroke="{colour}" '
                     f'stroke-width="2"{dash_attr}/>')
        parts.append(f'<text x="{lx + 27:.1f}" y="{ly}" font-size="9.5" font-family="{FONT}" fill="#1b1f24">'
                     f'{escape(d["label"])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(labels: list[str], values: list, title: str, width: int = 640, decimals: int = 0,
              hidden_texts: list[str] | None = None) -> str:
    row_h = 18
    label_w = 230
    right = 50
    height = 10 + row_h * max(len(labels), 1)
    plot_w = width - label_w - right
    shown = [v for v in values if v is not None]
    x_max = max(shown) if shown else 1
    x_max = x_max or 1
    parts = [_open(width, height, title)]
    for i, (label, v) in enumerate(zip(labels, values)):
        y = 5 + i * row_h
        short = label if len(label) <= 42 else label[:40] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="9.5" font-family="{FONT}" '
                     f'fill="#1b1f24">{escape(short)}</text>')
        if v is None:
            text = hidden_texts[i] if hidden_texts else "–"
            parts.append(f'<text x="{label_w + 4}" y="{y + 12}" font-size="9.5" font-family="{FONT}" '
                         f'fill="#4a5260">{escape(text)}</text>')
            continue
        w = plot_w * v / x_max
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" fill="{COLOURS[0]}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="9.5" font-family="{FONT}" '
                     f'fill="#1b1f24">{escape(fmt_number(v, decimals))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def chart_for(table) -> str:
    """The SVG for a StatTable's chart data, or "" if it has none."""
    chart = table.chart
    if not chart:
        return ""
    title = table.chart_label or table.caption
    if chart["type"] == "line":
        return line_chart(chart["labels"], chart["datasets"], title)
    decimals = 1 if table.key == "enheter" else 0
    # A missing bar says why: "<5", ".." or "–" as in the table beside it.
    hidden = [row.cells[0].text if row.cells[0].hidden else "–" for row in table.rows]
    return bar_chart(chart["labels"], chart["datasets"][0]["data"], title, decimals=decimals,
                     hidden_texts=hidden)
