"""Charts for the report page, drawn as SVG by the server: no JavaScript, no build step.
Each chart is its bars' geometry; the template draws them (reports.html)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, GAP, WIDEST = 640, 180, 6, 80


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    part: str = ""  # which part of a stacked bar: a CSS class


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    labels: list[tuple[float, str]]  # under each bar: its middle, its label
    width: int = WIDTH
    height: int = HEIGHT


def bars(title: str, values: list[tuple[str, int]]) -> Chart:
    """One bar per (label, value), scaled to the largest."""
    return stacked(title, [(label, [("", value)]) for label, value in values])


def stacked(title: str, groups: list[tuple[str, list[tuple[str, int]]]]) -> Chart:
    """One stacked bar per group of (part, value), scaled to the largest total."""
    top = max((sum(v for _, v in parts) for _, parts in groups), default=0) or 1
    width = min((WIDTH - GAP * (len(groups) + 1)) / max(len(groups), 1), WIDEST)
    drawn: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for n, (label, parts) in enumerate(groups):
        x, base = GAP + n * (width + GAP), float(HEIGHT)
        labels.append((x + width / 2, label))
        for part, value in parts:
            height = HEIGHT * value / top
            base -= height
            drawn.append(Bar(x, base, width, height, label, value, part))
    return Chart(title, drawn, labels)
