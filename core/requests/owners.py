"""Who owns a question, as requests to owners name it: core/questionnaires/owners.py holds the
rule (the answer grid reads the same owners), these names are the requests' way in to it."""

from core.questionnaires.owners import (
    MAX_ADDRESS_LENGTH,
    Owner,
    owner_of,
    owner_of_question,
    parse_email,
    question_owner,
)

__all__ = [
    "MAX_ADDRESS_LENGTH",
    "Owner",
    "owner_of",
    "owner_of_question",
    "parse_email",
    "question_owner",
]
