"""Colours and labels every page draws with: one colour per phase, priorities by severity.

Defined once; a chart of phases or priorities takes its colours and words from here.
"""

from core.catalogue import labels
from core.kernel.phases import PHASE_ORDER, CollectionPhase

P = CollectionPhase
# Cool to warm along the flow, green when done; red is kept for what needs a hand.
PHASE_COLOURS: dict[str, str] = {
    P.INITIALIZATION: "#b0b7c3",
    P.ASSET_SELECTION: "#8fbce6",
    P.GAP_ANALYSIS: "#3b7dd8",
    P.QUESTIONNAIRE_GENERATION: "#7b61c9",
    P.MANUAL_COLLECTION: "#d9a21b",
    P.DATA_VALIDATION: "#2aa39a",
    P.ASSESSMENT: "#2e8b57",
}
PRIORITY_LABELS: dict[int, str] = {1: "P1 critical", 2: "P2 high", 3: "P3 medium", 4: "P4 low"}
# Severity: P1 red, P2 orange, then calm greys.
PRIORITY_COLOURS: dict[str, str] = {
    PRIORITY_LABELS[1]: "#d62728",
    PRIORITY_LABELS[2]: "#f28e2b",
    PRIORITY_LABELS[3]: "#8c9bab",
    PRIORITY_LABELS[4]: "#c9d1d9",
}


def phase_label(phase: str) -> str:
    return labels.phase_label(phase)


PHASE_LABELS: list[str] = [phase_label(phase) for phase in PHASE_ORDER]
PHASE_LABEL_COLOURS: dict[str, str] = {phase_label(p): c for p, c in PHASE_COLOURS.items()}

# Engagements: dark and muted tones no phase or priority uses, so an engagement never reads as
# a phase; past ten they repeat (charts of engagements also name them in the legend).
ENGAGEMENT_COLOURS: tuple[str, ...] = (
    "#1f2a44",  # navy
    "#e377c2",  # pink
    "#8c564b",  # brown
    "#4a1486",  # deep violet
    "#000000",  # black
    "#6b8e23",  # olive
    "#880e4f",  # wine
    "#ff00ff",  # magenta
    "#00bcd4",  # cyan
    "#ffeb3b",  # yellow
)


def engagement_colours(engagements: list[str]) -> dict[str, str]:
    """One colour per engagement, in the order given (sorted by name, a colour stays put)."""
    return {
        name: ENGAGEMENT_COLOURS[index % len(ENGAGEMENT_COLOURS)]
        for index, name in enumerate(sorted(engagements))
    }
