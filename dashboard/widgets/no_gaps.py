"""What an empty Gaps page says: what the flow needs next, by the phase it stands in."""

from core.catalogue import labels
from core.kernel.phases import CollectionPhase


def next_step(phase: str) -> str:
    """What a flow with no gaps needs next, by the phase it stands in."""
    if phase in (CollectionPhase.INITIALIZATION, CollectionPhase.ASSET_SELECTION):
        return (
            "No gaps yet: this flow has no assets selected. Select them on the Flow page; gap"
            " analysis then scans them for missing and invalid attributes."
        )
    if phase == CollectionPhase.GAP_ANALYSIS:
        return (
            "No gaps yet: gap analysis has not run. Run gap analysis from the Flow page: it scans"
            " the selected assets for missing and invalid attributes."
        )
    return (
        "This flow has no gaps: the gap scan found every critical attribute of its assets."
        f" It stands in {labels.phase_words(phase)}; go on from the Flow page."
    )
