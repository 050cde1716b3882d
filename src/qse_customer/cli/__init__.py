"""The ``qse-customer`` command: demo, check, validate, import, export, notify and explain.

Entry point ``qse_customer.cli.main:program`` (``main`` with ``sys.argv``, for a process that
exits after it; ``main(argv)`` is the same command for a program calling it); see ``docs/cli.md``.
"""
