"""Server-rendered bar charts: geometry for SVG ``<rect>`` elements (no scripts, no
inline styles, so the Content-Security-Policy ``default-src 'self'`` holds)."""

from __future__ import annotations

from dataclasses import dataclass

from .selectors import Month
from .units import amount_format

WIDTH, HEIGHT, BOTTOM = 600, 200, 40
MONTHS = 12


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str  # the month, under the bar
    value: str  # the amount, in the tooltip and the table
    active: int


def month_bars(months: list[Month], decimals: int) -> list[Bar]:
    """Bars for the last twelve months with activity, scaled to the largest."""
    shown = months[-MONTHS:]
    if not shown:
        return []
    top = max(m.volume for m in shown) or 1
    slot = WIDTH // len(shown)
    width = max(4, slot * 3 // 4)
    bars = []
    for i, m in enumerate(shown):
        height = round((HEIGHT - BOTTOM - 10) * m.volume / top)
        bars.append(
            Bar(
                x=i * slot + (slot - width) // 2,
                y=HEIGHT - BOTTOM - height,
                width=width,
                height=height,
                label=m.month.strftime("%b %Y"),
                value=amount_format(m.volume, decimals),
                active=m.active,
            )
        )
    return bars
