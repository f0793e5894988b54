"""Recruitment, applications, partnerships and messaging pages (the partners work fills this in)."""

urlpatterns: list = []
