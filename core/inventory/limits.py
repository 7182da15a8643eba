"""The limits an inventory file is read under, and the refusals that name them.

Every reader (CSV, workbook) streams and enforces these as it goes, so a file over a limit is
refused after reading just past the limit, whatever the file claims about itself.
"""

from dataclasses import dataclass

from config.settings import get_settings
from core.kernel.errors import BadRequest

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


@dataclass(frozen=True)
class ImportLimits:
    max_rows: int
    max_file_bytes: int
    max_cell_chars: int
    max_unpacked_bytes: int
    max_shared_strings_bytes: int
    max_columns: int = EXCEL_MAX_COLUMNS

    @classmethod
    def from_settings(cls, *, max_rows: int | None = None) -> "ImportLimits":
        settings = get_settings()
        return cls(
            max_rows=settings.import_max_rows if max_rows is None else max_rows,
            max_file_bytes=settings.import_max_file_bytes,
            max_cell_chars=settings.import_max_cell_chars,
            max_unpacked_bytes=settings.import_max_unpacked_bytes,
            max_shared_strings_bytes=settings.import_max_shared_strings_bytes,
            max_columns=settings.import_max_columns,
        )

    @property
    def max_rows_with_blank_ones(self) -> int:
        """Blank rows are skipped, but reading them costs time too: as many as Excel allows."""
        return self.max_rows + EXCEL_MAX_ROWS


def megabytes(size: int) -> str:
    return f"{size / 2**20:,.2f}".rstrip("0").rstrip(".") + " MB"


def too_many_rows(limit: int) -> BadRequest:
    return BadRequest(
        f"the file holds more than {limit:,} rows; at most {limit:,} can be imported at once:"
        " split it into several files",
        field="file",
    )


def too_many_rows_with_blank_ones(limit: int) -> BadRequest:
    return BadRequest(
        f"the file holds more than {limit:,} rows counting blank ones: delete the empty rows",
        field="file",
    )


def file_too_large(size: int, limit: int) -> BadRequest:
    return BadRequest(
        f"the file is {megabytes(size)}; at most {megabytes(limit)} can be imported at once:"
        " split it into several files",
        field="file",
    )


def too_many_columns(where: str, limit: int) -> BadRequest:
    return BadRequest(
        f"{where} lies past column {limit:,}; at most {limit:,} columns can be imported (the"
        " IMPORT_MAX_COLUMNS setting): delete the columns the inventory does not need",
        field="file",
    )


def cell_too_long(where: str, limit: int) -> BadRequest:
    return BadRequest(
        f"{where} holds more than {limit:,} characters, which no inventory cell needs:"
        " check that this is the right file",
        field="file",
    )
