"""A third-party plugin for real: examples/plugins installed next to qse-customer in a fresh
virtual environment, found through its entry point, put through the contract suites, and used
through open_store and the notifiers.

The environment gets no system site-packages. Everything is installed with pip from a local
folder of wheels, offline: qse-customer and the example plugin are built from their sources, and
each dependency is repacked into a wheel from the distribution installed in the environment
running this test (so no index is needed, and pip still resolves every declared dependency).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.slow  # installs the example plugin into a fresh virtual environment

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "plugins"
TESTING = ("pytest", "hypothesis")
SKIP_IN_DIST_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _requirements(distribution: importlib.metadata.Distribution) -> list[str]:
    names = []
    for line in distribution.requires or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


def _project_dependencies() -> list[str]:
    """The names of qse-customer's runtime dependencies, from its pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [Requirement(line).name for line in project["dependencies"]]


def _closure(names: list[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions of ``names`` and everything they require."""
    found: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in found:
            continue
        distribution = importlib.metadata.distribution(name)
        found[name] = distribution
        todo.extend(_requirements(distribution))
    return list(found.values())


def _record_line(name: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def _repack(distribution: importlib.metadata.Distribution, wheelhouse: Path) -> Path:
    """A wheel of an installed distribution, from the files its RECORD lists."""
    files = [f for f in distribution.files or [] if not str(f).startswith("..")]
    info = next(f.parent for f in files if str(f.parent).endswith(".dist-info"))
    wheel_file = distribution.read_text("WHEEL") or "Tag: py3-none-any\n"
    tags = [
        line.split(":", 1)[1].strip().split("-")
        for line in wheel_file.splitlines()
        if line.startswith("Tag:")
    ]
    tag = "-".join(".".join(dict.fromkeys(t[part] for t in tags)) for part in range(3))
    name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"])
    target = wheelhouse / f"{name}-{distribution.version}-{tag}.whl"
    records: list[list[str]] = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in files:
            path = str(file)
            if "__pycache__" in file.parts or (
                file.parent == info and file.name in SKIP_IN_DIST_INFO
            ):
                continue
            data = Path(str(distribution.locate_file(file))).read_bytes()
            wheel.writestr(path, data)
            records.append(_record_line(path, data))
        listing = io.StringIO()
        csv.writer(listing, lineterminator="\n").writerows([*records, [f"{info}/RECORD", "", ""]])
        wheel.writestr(f"{info}/RECORD", listing.getvalue())
    return target


def _build(source: Path, wheelhouse: Path, backend: str) -> None:
    isolation = [] if importlib.util.find_spec(backend) is None else ["--no-build-isolation"]
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        *isolation,
        source,
        "-w",
        wheelhouse,
    )


USE_THE_PLUGIN = """
import sys
from datetime import UTC, datetime
from qse_customer import Complaint
from qse_customer.notifiers import Notification, send
from qse_customer.plugins import get_plugin_manager
from qse_customer.stores import open_store

manager = get_plugin_manager()
assert "jsondir" in manager.plugin_names(), manager.plugin_names()
assert manager.storage_providers()["jsondir"].plugin == "jsondir"
notifiers = [name for name, _ in manager.notifiers()]
assert notifiers[0] == "jsondir", notifiers  # installed plugins run before the built-in defaults
at = datetime(2026, 1, 5, 9, tzinfo=UTC)
with open_store("jsondir://" + sys.argv[1]) as store:
    complaint = Complaint.receive(id="c-1", at=at, by=None, channel="web", category="tat",
                                  anonymous=True)
    store.save(complaint)
    assert store.load(Complaint, "c-1") == complaint
    report = send(store, [Notification.complaint_received(complaint)], at=at)
    assert sorted(name for _, name in report.delivered) == sorted(notifiers), report
print("used the plugin")
"""


def test_the_example_plugin_installs_is_found_and_passes_the_contracts(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wheels"
    wheelhouse.mkdir()
    _build(ROOT, wheelhouse, "hatchling")
    _build(EXAMPLE, wheelhouse, "hatchling")
    for distribution in _closure([*_project_dependencies(), *TESTING]):
        _repack(distribution, wheelhouse)

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False, system_site_packages=False)
    python = environment / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-index",
        "--find-links",
        wheelhouse,
        "qse-customer",
        "qse-jsondir",
        *TESTING,
    )

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QSE_"))}
    clean["QSE_JSONDIR_CHAT_FILE"] = str(tmp_path / "chat.txt")
    where = _run(
        python,
        "-c",
        "import qse_customer, qse_jsondir; print(qse_customer.__file__)",
        cwd=tmp_path,
        env=clean,
    )
    assert where.startswith(str(environment)), where  # the installed package, not the sources
    assert "used the plugin" in _run(
        python, "-c", USE_THE_PLUGIN, tmp_path / "data", cwd=tmp_path, env=clean
    )
    assert "complaint 'c-1' received" in (tmp_path / "chat.txt").read_text()
    output = _run(
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        EXAMPLE / "tests",
        cwd=EXAMPLE,
        env=clean,
    )
    assert re.search(r"\d+ passed", output) and "failed" not in output, output
