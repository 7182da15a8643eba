"""Inventory files as discovery tools export them, and a snapshot of every stored asset."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.models import Asset

SERVICENOW_HEADER = [
    "Name",
    "Class",
    "Operating System",
    "OS Version",
    "CPU core count",
    "RAM (MB)",
    "Disk space (GB)",
    "Used for",
    "Owned by",
    "Support group",
    "Business criticality",
    "Tech stack",
    "Hypervisor",
    "Location",
]
CLASSES = ["Linux Server", "Windows Server", "VMware Virtual Machine Instance", "Database"]
OSES = [("Red Hat Enterprise Linux", "8.6"), ("Windows Server", "2019"), ("Ubuntu", "22.04")]


def servicenow_rows(count: int, *, gappy: bool = True) -> list[list[str]]:
    """Realistic rows: most complete, every fifth with a missing owner or a TBD environment."""
    rows = []
    for index in range(count):
        os_name, os_version = OSES[index % len(OSES)]
        asset_class = CLASSES[index % len(CLASSES)]
        incomplete = gappy and index % 5 == 0
        rows.append(
            [
                f"srv-{index:05d}",
                asset_class,
                os_name,
                os_version,
                str(2 ** (index % 4 + 1)),
                f"{(index % 8 + 1) * 4096:,}",  # "4,096" as CMDB reports print it
                str(100 + index * 10),
                "TBD" if incomplete else ["Production", "Test", "Development"][index % 3],
                "" if incomplete else f"Owner {index % 7}",
                f"Team {index % 4}",
                ["high", "medium", "low", "critical"][index % 4],
                "Java/Tomcat" if asset_class == "Database" else "",
                "VMware" if "Virtual" in asset_class else "",
                f"DC{index % 2 + 1}",
            ]
        )
    return rows


def to_csv(header: list[str], rows: list[list[Any]], *, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def to_xlsx(header: list[str], rows: list[list[Any]], *, title_rows: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Inventory"
    for index in range(title_rows):
        sheet.append([f"Inventory report, page {index + 1}"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def servicenow_csv(count: int = 40, **options) -> bytes:
    return to_csv(SERVICENOW_HEADER, servicenow_rows(count), **options)


def snapshot_assets(db: Session | Engine) -> list[tuple]:
    """Every column of every asset row the session may see (an owner engine: all), stably ordered."""
    query = select(*Asset.__table__.columns).order_by(Asset.client_account_id, Asset.name)
    if isinstance(db, Engine):
        with db.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]
    db.expire_all()
    return [tuple(row) for row in db.execute(query)]
