"""The ``qse-customer`` command: demo, check, validate, import, export, notify and explain.

Entry point ``qse_customer.cli.main:main``; see ``docs/cli.md``.
"""
