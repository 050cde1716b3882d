"""MkDocs hook: list the command-line, report and review pages in the navigation when they exist.

Those pages are written with the `qse-customer` command; until they are in the tree, the site
builds without them (a nav entry to a missing page would fail the strict build).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

OPTIONAL_PAGES = (
    ("Command line", "cli.md"),
    ("Reports", "reports.md"),
    ("Management review", "review.md"),
)
SECTION = "Using qse-customer"
AFTER = "Quickstart"


def on_config(config: Any) -> Any:
    """Add a section with the optional pages that exist, after the quickstart."""
    docs = Path(config["docs_dir"])
    present = [{title: page} for title, page in OPTIONAL_PAGES if (docs / page).is_file()]
    nav = config["nav"]
    if not present or nav is None:
        return config
    titles = [next(iter(entry)) if isinstance(entry, dict) else entry for entry in nav]
    position = titles.index(AFTER) + 1 if AFTER in titles else len(nav)
    nav.insert(position, {SECTION: present})
    return config
