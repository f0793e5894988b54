"""The double-entry ledger, wallets, escrow, top-ups and withdrawals. See SPEC §5."""
