"""The platform's number formats (settings.FORMAT_MODULE_PATH), over Django's own per language.

Django's Chinese formats group digits by ten thousand with no separator (``1234567.50``); the
platform's amounts read ``1,234,567.50`` in all three languages, as Chinese finance pages write them.
"""
