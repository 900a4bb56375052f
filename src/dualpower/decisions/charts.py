"""The rounds of a count as a server-rendered SVG bar chart.

Only presentation attributes (``fill``, ``x``, ``width``...), never a ``style``
attribute or a script, so the Content-Security-Policy ``default-src 'self'`` holds. A
``<title>`` and ``<desc>`` name the chart for screen readers and every bar carries its
value as text; the rounds table beside it holds the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 170
BAR_HEIGHT = 18
GAP = 6
ROUND_HEAD = 26
PALETTE = ("#2f5d8a", "#b5532b", "#3f7d4e", "#7a4a8f", "#8a7a2f", "#2f7a7a", "#8f3f5a")


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def rounds_chart(
    rounds: Sequence[Mapping[str, Any]], labels: Mapping[str, str], *, title: str
) -> SafeString:
    """An SVG with one group of bars per round, one bar per option still counted.

    >>> svg = rounds_chart([{"round": 1, "counts": {"a": 2, "b": 1}}], {"a": "A"}, title="T")
    >>> "<title" in svg and ">A: 2<" in svg and "style=" not in svg
    True
    """
    if not rounds:
        return mark_safe("")
    top = max((float(v) for r in rounds for v in r.get("counts", {}).values()), default=0) or 1.0
    order: list[str] = []
    for r in rounds:
        order.extend(k for k in r.get("counts", {}) if k not in order)
    colours = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(order)}
    span = WIDTH - LABEL_WIDTH - 60
    parts: list[str] = []
    y = 0
    for r in rounds:
        y += ROUND_HEAD
        parts.append(
            format_html(
                '<text x="0" y="{}" font-weight="bold" font-size="14" fill="#222">Round {}</text>',
                y - 8,
                r.get("round", ""),
            )
        )
        for key, value in r.get("counts", {}).items():
            width = round(span * float(value) / top)
            label = labels.get(key, key)
            text = f"{label}: {_number(float(value))}"
            parts.append(
                format_html(
                    '<g><title>{}</title><text x="0" y="{}" font-size="13" fill="#222">{}</text>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" font-size="13" fill="#222">{}</text></g>',
                    text,
                    y + BAR_HEIGHT - 5,
                    label[:24],
                    LABEL_WIDTH,
                    y,
                    max(width, 1),
                    BAR_HEIGHT,
                    colours[key],
                    LABEL_WIDTH + max(width, 1) + 6,
                    y + BAR_HEIGHT - 5,
                    text,
                )
            )
            y += BAR_HEIGHT + GAP
    height = y + GAP
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="rounds-chart" role="img" '
        'viewBox="0 0 {} {}" width="100%" aria-labelledby="rounds-chart-title rounds-chart-desc">'
        '<title id="rounds-chart-title">{}</title>'
        '<desc id="rounds-chart-desc">One bar per option and round; the table lists the same '
        "counts.</desc>",
        WIDTH,
        height,
        title,
    )
    return mark_safe(head + "".join(parts) + "</svg>")
