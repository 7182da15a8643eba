"""The Overview's figures are cached by their rows: the same rows draw the same figures, and
one engagement's rows never draw another's."""

from dashboard.widgets.overview_charts import _figures


def flow_row(engagement: str, name: str) -> dict:
    return {
        "flow_name": name,
        "current_phase": "gap_analysis",
        "status": "running",
        "progress_percentage": 40.0,
        "completeness": 0.5,
        "engagement": engagement,
    }


def test_the_figures_are_a_function_of_the_rows_alone():
    first = _figures([flow_row("Northwind - Exit", "Wave A")], [], [], [])
    other = _figures([flow_row("Contoso - Move", "Wave B")], [], [], [])
    again = _figures([flow_row("Northwind - Exit", "Wave A")], [], [], [])

    assert "Wave A" in first["completeness"].to_json()
    assert "Wave B" not in first["completeness"].to_json()
    assert "Contoso - Move" in other["phase"].to_json()
    assert "Northwind - Exit" not in other["phase"].to_json()
    assert again["phase"].to_dict()["data"] == first["phase"].to_dict()["data"]
    assert set(first) == {"phase", "status", "progress", "completeness"}
