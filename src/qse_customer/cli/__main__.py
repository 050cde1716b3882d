"""``python -m qse_customer.cli``: the same as the ``qse-customer`` command."""

from __future__ import annotations

import sys

from .main import program

sys.exit(program())
