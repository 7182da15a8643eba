"""Azure Migrate Export's reports as the tool writes them (github.com/Azure/azure-migrate-export,
src/Common/DiscoveryReportConstants.cs and CoreReportConstants.cs): the discovery report's
"Discovery_Report" sheet, and the assessment core report's sheets, each with its columns in the
tool's order. Machine IDs are Azure resource ids under the appliance's site; IP and MAC lists
are written "[a,b];"."""

import io
from typing import Any

from openpyxl import Workbook

DISCOVERY_COLUMNS = [
    "Machine Name", "Environment", "Software Inventory Count", "SQL Discovery Server Count",
    "Is SQL Service Present", "Web Applications Count", "Operating System", "Cores",
    "Memory (in MB)", "Total Disks", "IP Addresses", "MAC Addresses", "Total Network Adapters",
    "Boot Type", "Power Stats", "Support Status", "First Discovery Time", "Last Updated Time",
    "Machine ID",
]  # fmt: skip
SERVER_COLUMNS = [
    "Machine Name", "Environment", "Azure VM Readiness", "Azure VM Readiness - Warnings",
    "Recommended VM Size", "Monthly Compute Cost Estimate (Pay as you go)",
    "Monthly Storage Cost Estimate", "Monthly Security Cost Estimate", "Operating System",
    "VM Host", "Boot Type", "Cores", "Memory (in MB)", "CPU Utilization (in %)",
    "Memory Utilization (in %)", "Storage (in GB)", "Network Adapters", "IP Addresses",
    "MAC Addresses", "Disk Names", "Azure Disk Readiness", "Recommended Disk SKUs",
    "Standard HDD Disks", "Standard SSD Disks", "Premium Disks", "Ultra Disks",
    "Monthly Storage Cost for Standard HDD Disks", "Monthly Storage Cost for Standard SSD Disks",
    "Monthly Storage Cost for Premium Disks", "Monthly Storage Cost for Ultra Disks",
    "Monthly Azure Site Recovery Cost Estimate", "Monthly Azure Backup Cost Estimate",
    "Group Name", "Machine ID",
]  # fmt: skip
SQL_INSTANCE_COLUMNS = [
    "Machine Name", "SQL Instance", "Environment", "Azure SQL MI Readiness",
    "Azure SQL MI Readiness - Warnings", "Recommended Deployment Type",
    "Azure SQL MI Configuration", "Monthly Compute Cost Estimate (Pay as you go)",
    "Monthly Storage Cost Estimate", "User Databases", "SQL Edition", "SQL Version",
    "Total DB Size (in MB)", "Largest DB Size (in MB)", "vCores Allocated",
    "CPU Utilization (in %)", "Memory Utilization (in MB)", "Number of Disks", "Group Name",
    "Machine ID",
]  # fmt: skip
WEBAPP_COLUMNS = [
    "Machine Name", "Web Application Name", "Environment", "Azure App Service Readiness",
    "Azure App Service Readiness - Warnings", "App Service Plan", "Recommended SKU",
    "Monthly Compute Cost Estimate (Pay as you go)", "Monthly Security Cost Estimate",
    "Azure Recommended Target", "Group Name", "Machine ID",
]  # fmt: skip
SITE = (
    "/subscriptions/3f1c0000-0000-4000-8000-000000000001/resourcegroups/rg-migrate"
    "/providers/microsoft.offazure/{kind}/site-{kind}-01/machines/{machine}"
)
# The core report's sheets: SQL instances come before the servers, as the tool writes them.
CORE_SHEETS = [
    ("Properties", ["Tenant ID", "Subscription"]),
    ("Business_Case", ["Category", "On-Premises Cost", "Azure IaaS Cost", "Azure PaaS Cost"]),
    ("Cash_Flows", ["Year 0", "Year 1", "Year 2", "Year 3"]),
    ("SQL_All_Instances", SQL_INSTANCE_COLUMNS),
    ("SQL_MI_PaaS", SQL_INSTANCE_COLUMNS),
    ("SQL_IaaS_Instance_Rehost_Perf", SQL_INSTANCE_COLUMNS),
    ("SQL_IaaS_Server_Rehost_Perf", SERVER_COLUMNS),
    ("SQL_IaaS_Server_Rehost_As-is", SERVER_COLUMNS),
    ("WebApp_PaaS", WEBAPP_COLUMNS),
    ("WebApp_IaaS_Server_Rehost_Perf", SERVER_COLUMNS),
    ("VM_SS_IaaS_Server_Rehost_Perf", SERVER_COLUMNS),
    ("VM_IaaS_Server_Rehost_Perf", SERVER_COLUMNS),
    ("VM_IaaS_Server_Rehost_As-is", SERVER_COLUMNS),
    ("VM_SS_IaaS_Server_Rehost_As-is", SERVER_COLUMNS),
    ("All_VM_IaaS_Server_Rehost_Perf", SERVER_COLUMNS),
    ("Decommissioned_Machines", ["Machine Name", "Machine ID"]),
]


def machine_id(machine: str, kind: str = "vmwaresites") -> str:
    return SITE.format(kind=kind, machine=machine)


def server_row(index: int, **values: Any) -> dict[str, Any]:
    name = f"azvm-{index:03d}"
    row: dict[str, Any] = {
        "Machine Name": name, "Environment": "Prod", "Azure VM Readiness": "Ready",
        "Recommended VM Size": "Standard_D4s_v5",
        "Operating System": "Microsoft Windows Server 2019 Datacenter",
        "VM Host": "esx01.corp.example.com", "Boot Type": "BIOS", "Cores": 4,
        "Memory (in MB)": 16384, "CPU Utilization (in %)": 12.5,
        "Memory Utilization (in %)": 40.0, "Storage (in GB)": 200, "Network Adapters": 1,
        "IP Addresses": f"[10.0.{index // 250}.{index % 250 + 1},fe80::{index + 1:x}];",
        "MAC Addresses": f"[00:50:56:aa:{index // 256:02x}:{index % 256:02x}];",
        "Disk Names": "[Hard disk 1];", "Group Name": "All", "Machine ID": machine_id(name),
    }  # fmt: skip
    row.update(values)
    return row


def sql_instance_row(index: int) -> dict[str, Any]:
    machine = f"sqlhost-{index % 42:02d}"  # 60 instances on 42 machines
    return {
        "Machine Name": machine, "SQL Instance": f"MSSQL{index}", "Environment": "Prod",
        "SQL Edition": "Enterprise", "SQL Version": "15.0", "vCores Allocated": 4,
        "Group Name": "All", "Machine ID": machine_id(machine),
    }  # fmt: skip


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])


def core_report(vms: int = 294, sql_instances: int = 60) -> bytes:
    """The assessment core report: 16 sheets; `vms` servers on All_VM_IaaS_Server_Rehost_Perf
    (and the same on the other server sheets, split by what they run)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    servers = [server_row(index) for index in range(vms)]
    for title, header in CORE_SHEETS:
        rows: list[dict[str, Any]] = []
        if header is SQL_INSTANCE_COLUMNS:
            rows = [sql_instance_row(index) for index in range(sql_instances)]
        elif title == "All_VM_IaaS_Server_Rehost_Perf":
            rows = servers
        elif title.startswith("VM_IaaS"):
            rows = servers[: vms - vms // 10]
        elif title == "Properties":
            rows = [{"Tenant ID": "3f1c", "Subscription": "sub-1"}]
        _sheet(workbook, title, header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def discovery_report(rows: list[dict[str, Any]]) -> bytes:
    """The discovery report: its Properties sheet and Discovery_Report, as the tool writes it."""
    workbook = Workbook()
    workbook.active.title = "Properties"
    workbook.active.append(["Tenant ID", "Subscription"])
    _sheet(workbook, "Discovery_Report", DISCOVERY_COLUMNS, rows)
    _sheet(workbook, "vCenter_Host_Report", ["vCenters", "Hosts"], [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_of(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook of these sheets, each a header and its rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
