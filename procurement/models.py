"""Purchase orders (採購單): lifecycle, lines, addresses, transitions. See SPEC §3."""
