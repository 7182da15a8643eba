"""Requests to owners: who owns each open question, mail with a signed link, reminders."""
