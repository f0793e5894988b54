"""Cross-app helpers: money, domain errors, audit log, permissions, divisions, sweeps."""
