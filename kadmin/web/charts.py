"""Bar charts drawn as SVG on the server: the geometry here, the markup in the templates.

Pure. Values are scaled to the largest one; a row holds one bar per series (replicas and
leaders of a broker, the lag of a partition). Styling is by class, from the stylesheet, so
that the page needs no inline style under its Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 280
BAR_AREA = 420
BAR_HEIGHT = 14
ROW_GAP = 10


@dataclass(frozen=True, slots=True)
class Bar:
    value: int
    series: str
    y: int
    width: float


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    y: int
    bars: tuple[Bar, ...]
    highlight: bool = False


@dataclass(frozen=True, slots=True)
class BarChart:
    rows: tuple[Row, ...]
    series: tuple[str, ...]
    width: int
    height: int
    label_width: int = LABEL_WIDTH

    @property
    def value_x(self) -> int:
        """Where each bar's figure is written: after the longest bar."""
        return self.label_width + BAR_AREA + 6


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[str],
    highlighted: Sequence[str] = (),
    largest: int | None = None,
) -> BarChart:
    """Horizontal bars, one group per row label, one bar per series in each group; `largest` sets
    the scale (several charts on one scale), else the largest value here."""
    if largest is None:
        largest = max((v for _, values in rows for v in values), default=0)
    scale = BAR_AREA / largest if largest > 0 else 0.0
    built = []
    y = ROW_GAP
    for label, values in rows:
        bars = tuple(
            Bar(v, name, y + i * BAR_HEIGHT, max(v * scale, 1.0 if v else 0.0))
            for i, (name, v) in enumerate(zip(series, values, strict=True))
        )
        built.append(Row(label, y, bars, label in highlighted))
        y += len(series) * BAR_HEIGHT + ROW_GAP
    return BarChart(tuple(built), tuple(series), LABEL_WIDTH + BAR_AREA + 80, y)
