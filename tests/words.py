"""What a snake_case identifier looks like, for the tests that keep identifiers from people."""

import re
from collections.abc import Iterable

# A snake_case identifier: lower-case words joined by underscores ("gap_analysis").
IDENTIFIER = re.compile(r"(?<![\w@./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")


def identifiers_in(texts: Iterable[str]) -> dict[str, str]:
    """The identifiers in these texts, each with a text it is in."""
    return {match: text for text in texts for match in IDENTIFIER.findall(text)}
