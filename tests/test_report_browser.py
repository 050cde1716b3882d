"""The demo's HTML report in a real headless browser (Debian's chromium): it renders, offline,
to a screenshot with real content. Skipped without chromium unless QSE_REQUIRE_SERVERS=1."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image  # installed with matplotlib, the report extra

from qse_customer.demo.run import run_demo

pytestmark = pytest.mark.slow  # renders the HTML report in chromium

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_demo_report_renders_in_chromium(tmp_path: Path) -> None:
    if BROWSER is None:
        if os.environ.get("QSE_REQUIRE_SERVERS") == "1":
            pytest.fail("chromium is not installed but QSE_REQUIRE_SERVERS=1 requires it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    result = run_demo(tmp_path / "lab")
    shot = tmp_path / "report.png"
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        result.html.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert shot.exists(), done.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        pixels = image.convert("RGB")
    colours = pixels.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 200, "the screenshot looks blank"
    # The header band is the report's dark blue, so the page's own CSS was applied.
    assert pixels.getpixel((10, 20)) == (0x1F, 0x3B, 0x57)
