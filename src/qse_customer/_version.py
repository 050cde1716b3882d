"""The package's version, in a module of its own so that no sub-package imports the root."""

from __future__ import annotations

__version__ = "0.1.0"
