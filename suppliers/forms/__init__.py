"""Input validation for the suppliers' pages, one module per topic."""
