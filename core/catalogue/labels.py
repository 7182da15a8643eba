"""People's words for the product's own names, defined once for every page and export.

Core and storage speak in identifiers (`gap_analysis`, `tier_2`, `technical_debt`,
`gap_analysis_specialist`, `flow_resumed`); a person reads "Gap analysis", "Tier 2",
"Technical debt", "Gap analysis specialist", "Flow resumed". Each kind of name has its table
here and one function; a name no table knows still reads as words, never with underscores.
"""

from core.catalogue.definitions import CATALOGUE
from core.kernel.phases import CollectionPhase, FlowStatus


def words(name: object) -> str:
    """Any identifier as people write it: 'virtual_machine' -> 'Virtual machine'."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


P = CollectionPhase
PHASES: dict[str, str] = {
    P.INITIALIZATION: "Initialization",
    P.ASSET_SELECTION: "Asset selection",
    P.GAP_ANALYSIS: "Gap analysis",
    P.QUESTIONNAIRE_GENERATION: "Questionnaire generation",
    P.MANUAL_COLLECTION: "Manual collection",
    P.DATA_VALIDATION: "Data validation",
    P.ASSESSMENT: "Assessment",
}
STATUSES: dict[str, str] = {status.value: words(status.value) for status in FlowStatus}
# Tiers go from the most a person does (1) to the most the system does (4).
TIERS: dict[str, str] = {f"tier_{n}": f"Tier {n}" for n in range(1, 5)}
GAP_CATEGORIES: dict[str, str] = {
    "infrastructure": "Infrastructure",
    "application": "Application",
    "business": "Business",
    "technical_debt": "Technical debt",
}
GAP_TYPES: dict[str, str] = {"missing": "Missing", "invalid": "Invalid"}
GAP_STATUSES: dict[str, str] = {"pending": "Pending", "resolved": "Resolved", "skipped": "Skipped"}
AGENTS: dict[str, str] = {
    "gap_analysis_specialist": "Gap analysis specialist",
    "critical_attribute_scan": "Critical attribute scan",
}
ASSET_TYPES: dict[str, str] = {"virtual_machine": "Virtual machine", "os": "OS"}
# Fields of an asset: the catalogue's own labels, then the asset's columns and the facts an
# import keeps beside them.
FIELDS: dict[str, str] = {
    "name": "Name",
    "asset_type": "Asset type",
    "fqdn": "FQDN",
    "ip_address": "IP address",
    "datacenter": "Datacenter",
    "vcenter": "vCenter",
    "asset_tag": "Asset tag",
    "vm_uuid": "VM UUID",
    "power_state": "Power state",
    "serial_number": "Serial number",
    "storage_used_gb": "Storage used (GB)",
    "cluster": "Cluster",
    "host": "Host",
    "application": "Application",
    "tier": "Tier",
    "os_name": "OS name",
    "os_build": "OS build",
    "os_configuration_file": "OS configuration file",
    "source_class": "Source class",
    "cpu_sockets": "CPU sockets",
    "cores_per_socket": "Cores per socket",
    "cpu_reservation_mhz": "CPU reservation (MHz)",
    "memory_reservation_gb": "Memory reservation (GB)",
    "disk_count": "Disk count",
    "disk_sizes_gb": "Disk sizes (GB)",
    "network_adapters": "Network adapters",
    "mac_addresses": "MAC addresses",
    "boot_type": "Boot type",
    "vmware_moref_id": "VMware MoRef ID",
    "vcenter_uuid": "vCenter UUID",
    "smbios_uuid": "SMBIOS UUID",
    **{attribute.name: attribute.label for attribute in CATALOGUE},
}
CUSTOM_PREFIX = "custom_attributes."
IMPORT_TARGETS: dict[str, str] = {"ignore": "Ignore this column"}
ROLES: dict[str, str] = {"analyst": "Analyst", "manager": "Manager", "admin": "Admin"}
QUESTIONNAIRE_STATUSES: dict[str, str] = {
    "pending": "Pending",
    "in_progress": "In progress",
    "completed": "Completed",
}
ANSWER_CHECKS: dict[str, str] = {"unchecked": "Not checked", "valid": "Valid", "invalid": "Invalid"}
QUESTION_TYPES: dict[str, str] = {"text": "Text", "select": "Choice", "number": "Number"}
# Where a value came from (core/storage/value_sources.SourceKind, and none recorded).
VALUE_SOURCES: dict[str, str] = {
    "import": "Imported",
    "answer": "Answered",
    "accepted_prediction": "Accepted prediction",
    "unrecorded": "Not recorded",
}
# The files a flow exports (core/inventory/export.What).
EXPORTS: dict[str, str] = {
    "gaps": "Gaps",
    "questionnaires": "Questionnaires",
    "assets": "Assets",
    "sources": "Sources",
    "azure_migrate": "Azure Migrate import",
    "aws_migration_hub": "AWS Migration Hub import",
}
# The columns of the flow exports: what each holds, as its header says it.
COLUMNS: dict[str, str] = {
    "asset_name": "Asset",
    "field_name": "Field",
    "gap_type": "Gap type",
    "gap_category": "Category",
    "priority": "Priority",
    "impact_on_sixr": "Six-R impact",
    "description": "Description",
    "suggested_resolution": "Suggested resolution",
    "predicted_value": "Predicted value",
    "confidence_score": "Confidence",
    "evidence": "Why predicted",
    "resolution_status": "Status",
    "resolved_value": "Resolved value",
    "resolved_at": "Resolved at",
    "source_agent": "Agent",
    "asset_id": "Asset ID",
    "gap_id": "Gap ID",
    "questionnaire": "Questionnaire",
    "questionnaire_status": "Questionnaire status",
    "question": "Question",
    "question_type": "Question type",
    "required": "Required",
    "default": "Default",
    "confidence": "Confidence",
    "answer": "Answer",
    "validation_status": "Validation",
    "validation_message": "Validation message",
    "question_id": "Question ID",
    "questionnaire_id": "Questionnaire ID",
    "value": "Value",
    "source": "Source",
    "source_detail": "Source detail",
    "source_file": "File",
    "source_row": "Row",
    "recorded_by": "Recorded by",
    "recorded_at": "Recorded at",
}
# A gap job, and each try of it: as a table's cell, and inside a sentence ("Try 1: stalled").
JOB_STATUSES: dict[str, str] = {
    "queued": "Queued",
    "running": "Running",
    "stalled": "Stalled",
    "worker offline": "Worker offline",
    "completed": "Completed",
    "failed": "Failed",
    "reset": "Reset by an admin",
}
TRY_OUTCOMES: dict[str, str] = {
    "queued": "waiting for a worker",
    "running": "running",
    "stalled": "stalled",
    "worker offline": "its worker went offline",
    "completed": "completed",
    "failed": "failed",
    "reset": "reset by an admin",
}


def phase_label(phase: str) -> str:
    return PHASES.get(phase) or words(phase)


def phase_words(phase: str) -> str:
    """A phase inside a sentence: 'the flow stands in gap analysis'."""
    return phase_label(phase).lower()


# What a run on a worker does, inside a sentence, where it is not its phase's name.
RUNS: dict[str, str] = {
    P.GAP_ANALYSIS: "gap scan",
    "export": "export",
    "send_requests": "sending of requests",
}


def run_words(phase: str) -> str:
    """What a run of that phase does, inside a sentence: 'a gap scan of this flow'."""
    return RUNS.get(phase) or phase_words(phase)


def status_label(status: str) -> str:
    return STATUSES.get(status) or words(status)


def tier_label(tier: str) -> str:
    return TIERS.get(tier) or words(tier)


def category_label(category: str) -> str:
    return GAP_CATEGORIES.get(category) or words(category)


def gap_type_label(gap_type: str) -> str:
    return GAP_TYPES.get(gap_type) or words(gap_type)


def gap_status_label(status: str) -> str:
    return GAP_STATUSES.get(status) or words(status)


def agent_label(agent: str | None) -> str:
    return "" if not agent else AGENTS.get(agent) or words(agent)


def asset_type_label(asset_type: str) -> str:
    return ASSET_TYPES.get(asset_type) or words(asset_type)


def field_label(field: str) -> str:
    """An asset field or a custom attribute ('custom_attributes.rack' -> 'Rack (custom)')."""
    if field.startswith(CUSTOM_PREFIX):
        return f"{field_label(field[len(CUSTOM_PREFIX) :])} (custom)"
    return FIELDS.get(field) or words(field)


def import_target_label(target: str) -> str:
    return IMPORT_TARGETS.get(target) or field_label(target)


def role_label(role: str) -> str:
    return ROLES.get(role) or words(role)


def questionnaire_status_label(status: str) -> str:
    return QUESTIONNAIRE_STATUSES.get(status) or words(status)


def answer_check_label(check: str) -> str:
    """How an answer's check stands: 'Valid', 'Invalid', 'Not checked'."""
    return ANSWER_CHECKS.get(check) or words(check)


def question_type_label(question_type: str) -> str:
    return QUESTION_TYPES.get(question_type) or words(question_type)


def source_label(source: str) -> str:
    return VALUE_SOURCES.get(source) or words(source)


def export_label(what: str) -> str:
    return EXPORTS.get(what) or words(what)


def column_label(column: str) -> str:
    return COLUMNS.get(column) or words(column)


def yes_no(flag: object) -> str:
    return "Yes" if flag else "No"


def job_status_label(status: str) -> str:
    return JOB_STATUSES.get(status) or words(status)


def try_outcome_words(status: str) -> str:
    """How a try of a gap job stands or ended, inside a sentence: 'its worker went offline'."""
    return TRY_OUTCOMES.get(status) or words(status).lower()
