"""What a workbook's styles say about its cells: which show a date or a duration."""

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format


def date_styles(tags: list[tuple[str, str, dict[str, str]]]) -> tuple[frozenset, frozenset]:
    """The cell styles (indices) whose number format shows a date, and those showing a duration."""
    custom: dict[str, str] = {}
    cell_formats: list[str] = []
    for parent, element, attributes in tags:
        if element == "numFmt":
            custom[attributes.get("numFmtId", "")] = attributes.get("formatCode", "")
        elif element == "xf" and parent == "cellXfs":
            cell_formats.append(attributes.get("numFmtId", "0"))
    dates, durations = set(), set()
    for index, format_id in enumerate(cell_formats):
        code = custom.get(format_id)
        if code is None and (builtin := small_index(format_id)) is not None:
            code = builtin_format_code(builtin)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


def small_index(text: str | None) -> int | None:
    """A row number or style index as written (plain digits, short), else None."""
    if text is None or not (0 < len(text) <= 9 and text.isascii() and text.isdigit()):
        return None
    return int(text)
