"""The suppliers' pages, one module per topic (see ``suppliers/urls.py``)."""
