"""Hub statistics as server-rendered SVG bar charts.

Only presentation attributes, never a ``style`` attribute or a script, so the
Content-Security-Policy ``default-src 'self'`` holds. Every bar carries its value as
text, and the dashboard shows the same numbers in a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 560
LABEL_WIDTH = 180
BAR = 18
GAP = 6


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str = "") -> SafeString:
    """One horizontal bar per ``(label, count)``.

    >>> svg = bar_chart([("Groceries", 2), ("Rent", 1)], title="T")
    >>> ">Groceries: 2<" in svg and "style=" not in svg
    True
    """
    if not rows:
        return mark_safe("")
    top = max(n for _, n in rows) or 1
    span = WIDTH - LABEL_WIDTH - 40
    parts = []
    for i, (label, n) in enumerate(rows):
        y = i * (BAR + GAP)
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="13" fill="#222">{}: {}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#2f5d8a"></rect>',
                y + BAR - 4,
                label[:24],
                n,
                LABEL_WIDTH,
                y,
                max(round(span * n / top), 1 if n else 0),
                BAR,
            )
        )
    height = len(rows) * (BAR + GAP)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" width="100%"'
        ' aria-label="{}"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        title,
        mark_safe("".join(parts)),
    )
