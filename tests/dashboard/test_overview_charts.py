"""The Overview's figures are cached by their rows: the same rows draw the same figure, and
one engagement's rows never draw another's."""

from dashboard.widgets.overview_charts import _figure

BAR = {"x": "flows", "y": "engagement", "orientation": "h"}


def test_a_figure_is_a_function_of_its_rows_alone():
    first = _figure("bar", [{"engagement": "Northwind / Exit", "flows": 2}], BAR, {"height": 200})
    other = _figure("bar", [{"engagement": "Contoso / Move", "flows": 3}], BAR, {"height": 200})
    again = _figure("bar", [{"engagement": "Northwind / Exit", "flows": 2}], BAR, {"height": 200})

    assert list(first.data[0].y) == ["Northwind / Exit"]
    assert list(other.data[0].y) == ["Contoso / Move"]
    assert again.to_dict()["data"] == first.to_dict()["data"]
    assert first.layout.height == 200
