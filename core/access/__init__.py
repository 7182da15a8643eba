"""Who may act: identity, accounts, passwords and the audit trail."""
