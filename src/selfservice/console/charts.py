"""Charts as server-rendered SVG: no JavaScript, no CDN, readable by screen readers.

Each function takes the numbers and returns one ``<svg>`` string: ``role="img"`` labelled
by its ``<title>`` and ``<desc>``, axis labels, a legend, and one ``<title>`` per bar or
cell (the exact number, shown on hover). Colours are the Okabe–Ito palette, which readers
with the common colour-vision deficiencies tell apart; the heatmap is one blue from light
to dark and writes each cell's number. Every bar and cell carries ``data-series``,
``data-category`` and ``data-value``, so a test (or a user's tool) reads the numbers back.
Text is escaped by ElementTree. :func:`table_html` renders the same numbers as a table to
put beside the chart.
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

SVG_NS = "http://www.w3.org/2000/svg"
#: Okabe & Ito (2008), without black: blue, vermillion, bluish green, orange, sky blue,
#: reddish purple, yellow.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442")
TEXT = "#222"
GRID = "#ccc"
#: Presentation attributes, not a style attribute: the console's policy allows no
#: inline styles.
FONT = {"font-family": "system-ui, sans-serif", "font-size": "12"}


@dataclass(frozen=True)
class Series:
    """One named row of numbers, one per category."""

    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Frame:
    """The plot area inside the SVG: left, top, width, height."""

    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


def nice_max(value: float) -> float:
    """A round axis maximum ≥ value (1, 2, 2.5 or 5 × 10^n); 1 for nothing."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover  (the loop always returns)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _svg(chart_id: str, title: str, desc: str, width: int, height: int) -> ET.Element:
    root = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {width} {height}", "width": str(width),
        "height": str(height), "role": "img", "id": chart_id, "class": "chart",
        "aria-labelledby": f"{chart_id}-title {chart_id}-desc", **FONT,
    })
    ET.SubElement(root, "title", id=f"{chart_id}-title").text = title
    ET.SubElement(root, "desc", id=f"{chart_id}-desc").text = desc
    return root


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "fill": TEXT,
                                          **attrs})
    node.text = text
    return node


def _rect(parent: ET.Element, x: float, y: float, w: float, h: float, fill: str, *,
          series: str, category: str, value: float) -> ET.Element:
    rect = ET.SubElement(parent, "rect", {
        "x": f"{x:.2f}", "y": f"{y:.2f}", "width": f"{max(w, 0):.2f}",
        "height": f"{max(h, 0):.2f}", "fill": fill, "data-series": series,
        "data-category": category, "data-value": _fmt(value),
    })
    ET.SubElement(rect, "title").text = f"{category} · {series}: {_fmt(value)}"
    return rect


def _legend(root: ET.Element, names: Sequence[str], x: float, y: float) -> None:
    legend = ET.SubElement(root, "g", {"class": "legend"})
    for index, name in enumerate(names):
        row = y + index * 16
        ET.SubElement(legend, "rect", {"x": f"{x:.1f}", "y": f"{row - 10:.1f}", "width": "10",
                                       "height": "10", "fill": PALETTE[index % len(PALETTE)]})
        _text(legend, x + 14, row, name)


def _value_axis(root: ET.Element, frame: Frame, top: float, label: str) -> None:
    """A vertical value axis 0..top with 5 gridlines, and its label."""
    axis = ET.SubElement(root, "g", {"class": "axis y"})
    for step in range(6):
        value = top * step / 5
        y = frame.bottom - frame.height * step / 5
        right = frame.left + frame.width
        ET.SubElement(axis, "line", {"x1": f"{frame.left:.1f}", "x2": f"{right:.1f}",
                                     "y1": f"{y:.1f}", "y2": f"{y:.1f}", "stroke": GRID})
        _text(axis, frame.left - 4, y + 4, _fmt(value), **{"text-anchor": "end"})
    _text(axis, 12, frame.top + frame.height / 2, label, **{
        "text-anchor": "middle",
        "transform": f"rotate(-90 12 {frame.top + frame.height / 2:.1f})"})


def _category_axis(root: ET.Element, frame: Frame, categories: Sequence[str],
                   label: str) -> None:
    axis = ET.SubElement(root, "g", {"class": "axis x"})
    slot = frame.width / max(len(categories), 1)
    every = max(1, math.ceil(len(categories) / max(frame.width // 60, 1)))
    for index, name in enumerate(categories):
        if index % every == 0:
            _text(axis, frame.left + slot * (index + 0.5), frame.bottom + 14, name,
                  **{"text-anchor": "middle"})
    _text(axis, frame.left + frame.width / 2, frame.bottom + 32, label,
          **{"text-anchor": "middle"})


def stacked_bars(
    *, chart_id: str, title: str, desc: str, categories: Sequence[str],
    series: Sequence[Series], x_label: str, y_label: str, width: int = 720, height: int = 300,
) -> str:
    """One bar per category, the series stacked bottom-up in their order."""
    legend_w = 170
    frame = Frame(56, 16, width - 56 - legend_w - 10, height - 16 - 44)
    root = _svg(chart_id, title, desc, width, height)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = nice_max(max(totals, default=0))
    _value_axis(root, frame, top, y_label)
    slot = frame.width / max(len(categories), 1)
    bars = ET.SubElement(root, "g", {"class": "bars"})
    for index, category in enumerate(categories):
        base = frame.bottom
        for number, one in enumerate(series):
            h = frame.height * one.values[index] / top
            _rect(bars, frame.left + slot * index + slot * 0.1, base - h, slot * 0.8, h,
                  PALETTE[number % len(PALETTE)], series=one.name, category=category,
                  value=one.values[index])
            base -= h
    _category_axis(root, frame, categories, x_label)
    _legend(root, [s.name for s in series], width - legend_w, frame.top + 10)
    return ET.tostring(root, encoding="unicode")


def line_chart(
    *, chart_id: str, title: str, desc: str, categories: Sequence[str],
    series: Sequence[Series], x_label: str, y_label: str, width: int = 720, height: int = 300,
) -> str:
    """One line per series over the categories (e.g. days), with a marker per point."""
    legend_w = 170
    frame = Frame(56, 16, width - 56 - legend_w - 10, height - 16 - 44)
    root = _svg(chart_id, title, desc, width, height)
    top = nice_max(max((v for s in series for v in s.values), default=0))
    _value_axis(root, frame, top, y_label)
    slot = frame.width / max(len(categories), 1)
    lines = ET.SubElement(root, "g", {"class": "lines"})
    for number, one in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = [(frame.left + slot * (i + 0.5), frame.bottom - frame.height * v / top)
                  for i, v in enumerate(one.values)]
        ET.SubElement(lines, "polyline", {
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points), "fill": "none",
            "stroke": colour, "stroke-width": "2",
            "stroke-dasharray": ("", "6 3", "2 3", "8 3 2 3")[number % 4]})
        for (x, y), category, value in zip(points, categories, one.values, strict=True):
            dot = ET.SubElement(lines, "circle", {
                "cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3", "fill": colour,
                "data-series": one.name, "data-category": category, "data-value": _fmt(value)})
            ET.SubElement(dot, "title").text = f"{category} · {one.name}: {_fmt(value)}"
    _category_axis(root, frame, categories, x_label)
    _legend(root, [s.name for s in series], width - legend_w, frame.top + 10)
    return ET.tostring(root, encoding="unicode")


def grouped_bars(
    *, chart_id: str, title: str, desc: str, categories: Sequence[str],
    series: Sequence[Series], x_label: str, y_label: str, width: int = 720, height: int = 300,
) -> str:
    """Side by side bars per category, one per series (e.g. met / breached per priority)."""
    legend_w = 170
    frame = Frame(56, 16, width - 56 - legend_w - 10, height - 16 - 44)
    root = _svg(chart_id, title, desc, width, height)
    top = nice_max(max((v for s in series for v in s.values), default=0))
    _value_axis(root, frame, top, y_label)
    slot = frame.width / max(len(categories), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    bars = ET.SubElement(root, "g", {"class": "bars"})
    for index, category in enumerate(categories):
        for number, one in enumerate(series):
            h = frame.height * one.values[index] / top
            _rect(bars, frame.left + slot * index + slot * 0.1 + bar_w * number,
                  frame.bottom - h, bar_w, h, PALETTE[number % len(PALETTE)],
                  series=one.name, category=category, value=one.values[index])
    _category_axis(root, frame, categories, x_label)
    _legend(root, [s.name for s in series], width - legend_w, frame.top + 10)
    return ET.tostring(root, encoding="unicode")


def horizontal_bars(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[float],
    x_label: str, series: str = "", max_value: float | None = None, percent: bool = False,
    width: int = 720,
) -> str:
    """One horizontal bar per label, the value written at its end (rates: ``percent``)."""
    # about 8 px a character of the 12 px font (Cyrillic is wider): room for the longest label
    row_h = 22
    label_w = min(320, max(80, 8 * max((len(x) for x in labels), default=0) + 8))
    height = 24 + row_h * len(labels) + 40
    frame = Frame(label_w, 16, width - label_w - 60, row_h * len(labels))
    root = _svg(chart_id, title, desc, width, height)
    top = max_value if max_value is not None else nice_max(max(values, default=0))
    bars = ET.SubElement(root, "g", {"class": "bars"})
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = frame.top + row_h * index
        w = frame.width * value / top if top else 0.0
        _text(bars, label_w - 6, y + row_h * 0.65, label, **{"text-anchor": "end"})
        _rect(bars, frame.left, y + 3, w, row_h - 6, PALETTE[0], series=series or x_label,
              category=label, value=value)
        shown = f"{value * 100:.1f} %" if percent else _fmt(value)
        _text(bars, frame.left + w + 4, y + row_h * 0.65, shown)
    ET.SubElement(root, "line", {"x1": str(frame.left), "x2": str(frame.left),
                                 "y1": str(frame.top), "y2": f"{frame.bottom:.1f}",
                                 "stroke": TEXT})
    _text(root, frame.left + frame.width / 2, frame.bottom + 28, x_label,
          **{"text-anchor": "middle"})
    return ET.tostring(root, encoding="unicode")


def heatmap(
    *, chart_id: str, title: str, desc: str, rows: Sequence[str], columns: Sequence[str],
    values: Sequence[Sequence[float]], x_label: str, y_label: str, width: int = 720,
) -> str:
    """A grid of cells (rows × columns) shaded light to dark blue, each with its number."""
    label_w, cell_h = 96, 24
    cell_w = (width - label_w - 10) / max(len(columns), 1)
    height = 16 + cell_h * len(rows) + 44
    root = _svg(chart_id, title, desc, width, height)
    top = max((v for row in values for v in row), default=0) or 1
    cells = ET.SubElement(root, "g", {"class": "cells"})
    for r, (name, row) in enumerate(zip(rows, values, strict=True)):
        y = 16 + cell_h * r
        _text(cells, label_w - 6, y + cell_h * 0.65, name, **{"text-anchor": "end"})
        for c, (column, value) in enumerate(zip(columns, row, strict=True)):
            share = value / top
            x = label_w + cell_w * c
            _rect(cells, x, y, cell_w - 1, cell_h - 1, _blue(share), series=name,
                  category=column, value=value)
            if value:
                _text(cells, x + cell_w / 2, y + cell_h * 0.65, _fmt(value), **{
                    "text-anchor": "middle", "font-size": "10",
                    "fill": "#fff" if share > 0.55 else TEXT})
    bottom = 16 + cell_h * len(rows)
    for c, column in enumerate(columns):
        _text(root, label_w + cell_w * (c + 0.5), bottom + 14, column,
              **{"text-anchor": "middle", "font-size": "10"})
    _text(root, label_w + (width - label_w) / 2, bottom + 34, x_label,
          **{"text-anchor": "middle"})
    _text(root, 4, 12, y_label)
    return ET.tostring(root, encoding="unicode")


def _blue(share: float) -> str:
    """From #f0f6fb (nothing) to #08306b (the most), by lightness."""
    low, high = (0xF0, 0xF6, 0xFB), (0x08, 0x30, 0x6B)
    mix = [round(a + (b - a) * min(max(share, 0.0), 1.0)) for a, b in zip(low, high, strict=True)]
    return "#" + "".join(f"{v:02x}" for v in mix)


def table_html(
    *, caption: str, columns: Sequence[str], rows: Sequence[Sequence[object]],
    table_id: str | None = None,
) -> str:
    """The chart's numbers as an HTML table (numbers right-aligned, every cell escaped)."""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in columns)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            text = "" if cell is None else _fmt(cell) if isinstance(cell, float) else str(cell)
            if index == 0:
                cells.append(f'<th scope="row">{escape(text)}</th>')
            else:
                numeric = isinstance(cell, int | float)
                cls = ' class="num"' if numeric else ""
                cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table class="chart-table"{ident}><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def for_view(
    view: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *, chart_id: str,
    title: str, desc: str, labels: Mapping[str, str] | None = None, top: int = 15,
) -> str:
    """The chart of one dashboard table (``services.metric_tables``: ``view``, its
    ``columns`` and ``rows``); ``labels`` translate column names and axis words (``day``,
    ``count``, ``rate``, ``tickets``, ``hour``, ``channel``), else they are shown as they are.
    """
    column = {name: index for index, name in enumerate(columns)}

    def say(key: str) -> str:
        return (labels or {}).get(key, key)

    def values(name: str, subset: Sequence[Sequence[object]] = rows) -> list[float]:
        return [_number(r[column[name]]) for r in subset]

    keys = [str(r[0]) for r in rows]
    if view in ("funnel", "backlog"):
        names = (["deflected", "ticket_filed", "abandoned"] if view == "funnel"
                 else list(columns[1:-1]))
        return stacked_bars(chart_id=chart_id, title=title, desc=desc, categories=keys,
                            series=[Series(say(n), values(n)) for n in names],
                            x_label=say("day" if view == "funnel" else "line"),
                            y_label=say("count"))
    if view == "known_problems":
        names = ["children", "told", "duplicates_avoided"]
        return grouped_bars(chart_id=chart_id, title=title, desc=desc, categories=keys,
                            series=[Series(say(n), values(n)) for n in names],
                            x_label=say("incident"), y_label=say("count"))
    if view == "sla":
        names = ["response_met", "response_breached", "resolution_met", "resolution_breached"]
        return grouped_bars(chart_id=chart_id, title=title, desc=desc, categories=keys,
                            series=[Series(say(n), values(n)) for n in names],
                            x_label=say(columns[0]), y_label=say("tickets"))
    if view == "channels":
        return heatmap(chart_id=chart_id, title=title, desc=desc, rows=[say(k) for k in keys],
                       columns=list(columns[1:]),
                       values=[[_number(v) for v in r[1:]] for r in rows],
                       x_label=say("hour"), y_label=say("channel"))
    shown = list(rows[:top])
    names = ([f"{r[0]} → {r[1]}" for r in shown] if view == "escalations"
             else [str(r[0]) for r in shown])
    return horizontal_bars(chart_id=chart_id, title=title, desc=desc, labels=names,
                           values=values("rate", shown), x_label=say("rate"),
                           series=say("rate"), max_value=1, percent=True)


def _number(cell: object) -> float:
    """A table cell as a number to draw (None and text count as 0)."""
    return float(cell) if isinstance(cell, int | float) else 0.0
