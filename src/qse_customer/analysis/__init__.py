"""What is computed from records but is not a rule: survey instruments and scoring, survey
statistics, survey rounds, complaint trends and reporting periods.

Imports only :mod:`qse_customer.core`; the rules (a ``threshold`` over survey scores or
recurrences), the management review and the reports build on it.
"""
