"""Server-side SVG charts: plain markup, no script, no CDN; every label is escaped."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BAR_COLOUR = "#2e6da4"
LINE_COLOURS = ("#2e6da4", "#1b8666", "#c0392b")


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def bar_chart(rows, value_column: int = 1, title: str = "", limit: int = 15) -> str:
    """Horizontal bars: label in column 0, value in ``value_column``."""
    rows = rows[:limit]
    width, label_w, bar_h, gap = 560, 200, 18, 6
    height = max(1, len(rows)) * (bar_h + gap) + 10
    top = max([_number(r[value_column]) for r in rows] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
    ]
    for i, row in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        value = _number(row[value_column])
        w = int((width - label_w - 60) * value / top)
        label = str(row[0])
        short = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end" font-size="12">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="{BAR_COLOUR}"/>'
            f'<text x="{label_w + max(w, 1) + 4}" y="{y + bar_h - 5}" font-size="12">'
            f"{escape(row[value_column])}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(rows, series=(1, 2), names=(), title: str = "") -> str:
    """Month on the x axis (column 0), one polyline per series column."""
    width, height, left, bottom, top_pad = 560, 220, 40, 30, 10
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max([_number(r[c]) for r in rows for c in series] + [1])
    step = plot_w / max(1, len(rows) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" y2="{top_pad + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 10}" text-anchor="end" font-size="11">{int(top)}</text>',
    ]
    for i, row in enumerate(rows):
        if i % 2 == 0:
            x = left + i * step
            parts.append(
                f'<text x="{x:.0f}" y="{height - 10}" text-anchor="middle" font-size="11">'
                f"{escape(str(row[0])[2:])}</text>"
            )
    for n, column in enumerate(series):
        points = " ".join(
            f"{left + i * step:.1f},{top_pad + plot_h - plot_h * _number(r[column]) / top:.1f}"
            for i, r in enumerate(rows)
        )
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        if n < len(names):
            parts.append(
                f'<text x="{left + 10 + n * 90}" y="{top_pad + 12}" font-size="12" '
                f'fill="{colour}">■ {escape(names[n])}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def chart_for(table) -> str:
    if table.chart == "bar" and table.rows:
        return bar_chart(table.rows, table.value_column, table.title)
    if table.chart == "line" and table.rows:
        return line_chart(table.rows, names=table.headers[1:], title=table.title)
    return ""
