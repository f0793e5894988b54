# Money and counts with thousands separators (Django's default for Chinese has none).
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
