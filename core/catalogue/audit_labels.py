"""People's words for the audit trail's actions: its table and its filter."""

from core.catalogue.labels import words

AUDIT_ACTIONS: dict[str, str] = {
    "flow_created": "Flow created",
    "assets_selected": "Assets selected",
    "gap_scan_queued": "Gap scan queued",
    "gaps_submitted": "Gaps sent for analysis",
    "job_retried": "Job retried",
    "job_reset": "Job reset",
    "job_withdrawn": "Job withdrawn",
    "phase_transition": "Phase changed",
    "phase_failed": "Phase failed",
    "flow_resumed": "Flow resumed",
    "phase_run_queued": "Long phase queued",
    "phase_run_again": "Long phase run again",
    "flow_exported": "Flow exported",
    "answers_saved": "Answers saved",
    "prediction_accepted": "Suggestion accepted",
    "submitted_for_validation": "Submitted for validation",
    "assets_imported": "Assets imported",
    "import_mapping_saved": "Import mapping saved",
    "member_invited": "Person invited",
    "member_role_changed": "Role changed",
    "member_removed": "Membership removed",
    "member_deactivated": "Person deactivated",
    "member_activated": "Person activated",
    "member_unlocked": "Person unlocked",
    "client_created": "Client created",
    "client_renamed": "Client renamed",
    "client_added": "Client added",
    "engagement_added": "Engagement added",
    "engagement_created": "Engagement created",
    "engagement_renamed": "Engagement renamed",
    "engagement_archived": "Engagement archived",
    "engagement_restored": "Engagement restored",
    "source_order_changed": "Source order changed",
    "membership_added": "Membership added",
    "account_deactivated": "Account deactivated",
    "account_activated": "Account activated",
    "account_unlocked": "Account unlocked",
    "password_set": "Password set",
}


def action_label(action: str) -> str:
    return AUDIT_ACTIONS.get(action) or words(action)
