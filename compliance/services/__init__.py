"""Writes of compliance.

``penalties`` (violations and evidence), ``inspection`` (findings → penalties), ``rebates`` (rewards, monthly rebates).
"""
