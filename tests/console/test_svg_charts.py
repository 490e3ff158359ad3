"""Server-rendered SVG charts: parsed back with ElementTree, bars and labels checked
against the numbers they were drawn from."""

import xml.etree.ElementTree as ET

import pytest

from selfservice.console import charts
from selfservice.console.charts import Series

NS = {"svg": charts.SVG_NS}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:rect[@data-value]", NS)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{{{charts.SVG_NS}}}text")]


def test_every_chart_is_an_image_labelled_by_its_title_and_description() -> None:
    made = [
        charts.stacked_bars(chart_id="a", title="Funnel", desc="Per day", categories=["d"],
                            series=[Series("x", [1])], x_label="Day", y_label="Count"),
        charts.line_chart(chart_id="b", title="Funnel", desc="Per day", categories=["d"],
                          series=[Series("x", [1])], x_label="Day", y_label="Count"),
        charts.grouped_bars(chart_id="c", title="SLA", desc="Met", categories=["P1"],
                            series=[Series("met", [1])], x_label="Priority", y_label="Tickets"),
        charts.horizontal_bars(chart_id="d", title="Rate", desc="Per article", labels=["a"],
                               values=[0.5], x_label="Rate", max_value=1, percent=True),
        charts.heatmap(chart_id="e", title="Hours", desc="Channel × hour", rows=["email"],
                       columns=["00"], values=[[3]], x_label="Hour", y_label="Channel"),
    ]
    for svg, ident in zip(made, "abcde", strict=True):
        root = parse(svg)
        assert root.get("role") == "img" and root.get("id") == ident
        assert root.get("aria-labelledby") == f"{ident}-title {ident}-desc"
        assert root.find("svg:title", NS) is not None and root.find("svg:desc", NS) is not None
        assert "<script" not in svg and "http://" not in svg.replace(charts.SVG_NS, "")


def test_stacked_bar_heights_follow_the_values() -> None:
    svg = charts.stacked_bars(
        chart_id="funnel", title="Deflection funnel", desc="Outcomes per day",
        categories=["2026-03-02", "2026-03-03"],
        series=[Series("deflected", [10, 5]), Series("ticket filed", [5, 0]),
                Series("abandoned", [5, 15])],
        x_label="Day", y_label="Conversations", height=300)
    root = parse(svg)
    found = {(b.get("data-category"), b.get("data-series")): b for b in bars(root)}
    assert len(found) == 6
    heights = {k: float(b.get("height", "0")) for k, b in found.items()}
    unit = heights[("2026-03-02", "deflected")] / 10
    assert unit > 0
    for (day, name), h in heights.items():
        assert h == pytest.approx(unit * float(found[(day, name)].get("data-value", "0")),
                                  abs=0.02)
    # stacked: each segment starts where the one below it ends
    low, mid = found[("2026-03-02", "deflected")], found[("2026-03-02", "ticket filed")]
    assert float(mid.get("y", "0")) + float(mid.get("height", "0")) == pytest.approx(
        float(low.get("y", "0")), abs=0.02)
    # the axis top is a round number ≥ the biggest total (20): 20 → 5 gridlines of 4
    assert {"0", "4", "8", "12", "16", "20"} <= set(texts(root))
    assert {"Day", "Conversations", "deflected", "ticket filed", "abandoned"} <= set(texts(root))
    tip = found[("2026-03-03", "abandoned")].find("svg:title", NS)
    assert tip is not None and tip.text == "2026-03-03 · abandoned: 15"


def test_grouped_bars_side_by_side_with_colour_blind_safe_colours() -> None:
    root = parse(charts.grouped_bars(
        chart_id="sla", title="SLA", desc="Met and breached per priority",
        categories=["P1", "P2"], series=[Series("met", [8, 40]), Series("breached", [2, 10])],
        x_label="Priority", y_label="Tickets"))
    found = {(b.get("data-category"), b.get("data-series")): b for b in bars(root)}
    met, breached = found[("P2", "met")], found[("P2", "breached")]
    assert float(breached.get("x", "0")) > float(met.get("x", "0"))
    assert float(met.get("height", "0")) == pytest.approx(
        4 * float(breached.get("height", "0")), abs=0.05)
    assert {met.get("fill"), breached.get("fill")} == {charts.PALETTE[0], charts.PALETTE[1]}


def test_horizontal_bars_write_rates_as_percent() -> None:
    root = parse(charts.horizontal_bars(
        chart_id="rate", title="Deflection rate per article", desc="Solved / shown",
        labels=["reset-en", "vpn-en"], values=[0.25, 0.5], x_label="Rate", max_value=1,
        percent=True))
    widths = {b.get("data-category"): float(b.get("width", "0")) for b in bars(root)}
    assert widths["vpn-en"] == pytest.approx(2 * widths["reset-en"], abs=0.02)
    assert {"25.0 %", "50.0 %", "reset-en", "vpn-en", "Rate"} <= set(texts(root))


def test_heatmap_cells_darker_for_more_and_numbered() -> None:
    root = parse(charts.heatmap(
        chart_id="hours", title="Tickets per channel and hour", desc="UTC",
        rows=["email", "phone"], columns=[f"{h:02d}" for h in range(3)],
        values=[[0, 5, 10], [1, 0, 0]], x_label="Hour (UTC)", y_label="Channel"))
    cells = {(b.get("data-series"), b.get("data-category")): b for b in bars(root)}
    assert len(cells) == 6 and cells[("email", "02")].get("data-value") == "10"
    assert cells[("email", "02")].get("fill") == "#08306b"
    assert cells[("email", "00")].get("fill") == "#f0f6fb"
    assert {"5", "10", "1", "email", "phone", "Hour (UTC)"} <= set(texts(root))


def test_text_is_escaped_and_table_holds_the_same_numbers() -> None:
    nasty = '<script>alert("x")</script> & co'
    svg = charts.horizontal_bars(chart_id="n", title=nasty, desc=nasty, labels=[nasty],
                                 values=[3], x_label="n")
    assert "<script>" not in svg
    assert parse(svg).find("svg:title", NS).text == nasty  # type: ignore[union-attr]
    table = charts.table_html(caption=nasty, columns=["article", "shown", "rate"],
                              rows=[[nasty, 3, 0.3333], ["b", 0, None]])
    assert "<script>" not in table and "&lt;script&gt;" in table
    parsed = ET.fromstring(table)
    cells = [[c.text for c in row] for row in parsed.iter("tr")]
    assert cells == [["article", "shown", "rate"], [nasty, "3", "0.3333"], ["b", "0", None]]


def test_empty_series_still_draw() -> None:
    root = parse(charts.stacked_bars(chart_id="z", title="t", desc="d", categories=[],
                                     series=[], x_label="x", y_label="y"))
    assert bars(root) == []
    assert charts.nice_max(0) == 1 and charts.nice_max(7) == 10 and charts.nice_max(21) == 25


def test_each_dashboard_table_has_its_chart() -> None:
    funnel = parse(charts.for_view(
        "funnel", ["day", "conversations", "article_shown", "deflected", "ticket_filed",
                   "abandoned"], [["2026-03-02", 2, 2, 1, 1, 0], ["2026-03-03", 3, 2, 1, 0, 1]],
        chart_id="f", title="Funnel", desc="d", labels={"deflected": "решено"}))
    assert {(b.get("data-category"), b.get("data-series"), b.get("data-value"))
            for b in bars(funnel)} >= {("2026-03-02", "решено", "1"),
                                       ("2026-03-03", "abandoned", "1")}
    sla = parse(charts.for_view(
        "sla", ["line", "tickets", "response_met", "response_breached", "response_open",
                "response_rate", "resolution_met", "resolution_breached", "resolution_open",
                "resolution_rate"], [["L1", 3, 2, 1, 0, 0.6667, 1, 1, 1, 0.5]],
        chart_id="s", title="SLA", desc="d"))
    assert [b.get("data-series") for b in bars(sla)] == [
        "response_met", "response_breached", "resolution_met", "resolution_breached"]
    hours = parse(charts.for_view(
        "channels", ["channel", *(f"{h:02d}" for h in range(24))],
        [["email", *range(24)]], chart_id="h", title="Hours", desc="d"))
    assert len(bars(hours)) == 24 and bars(hours)[23].get("data-value") == "23"
    escalations = parse(charts.for_view(
        "escalations", ["from_line", "to_line", "reached", "escalated", "rate"],
        [["L1", "L2", 5, 2, 0.4], ["L2", "L3", 2, 1, 0.5], ["L3", "external", 1, 0, 0.0]],
        chart_id="e", title="Escalations", desc="d"))
    assert {"L1 → L2", "40.0 %", "0.0 %"} <= set(texts(escalations))
    backlog = parse(charts.for_view(
        "backlog", ["line", "<4h", "4-24h", "1-3d", "3-7d", ">7d", "total"],
        [["L1", 0, 1, 0, 0, 1, 2]], chart_id="b", title="Backlog", desc="d"))
    assert [b.get("data-series") for b in bars(backlog)] == ["<4h", "4-24h", "1-3d", "3-7d",
                                                             ">7d"]
