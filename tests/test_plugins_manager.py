"""The plugin manager: built-ins registered as plugins, installed plugins found through entry
points, and every way a plugin can be wrong reported with its name."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import qse_customer.plugins as plugins
from qse_customer import Complaint, ValidationError
from qse_customer.plugins import (
    DISABLE_PLUGINS_ENV,
    PluginConflictError,
    PluginLoadError,
    PluginResultError,
    QSEPluginManager,
    UnknownBackendError,
    get_plugin_manager,
    hookimpl,
)
from qse_customer.plugins.manager import blocked_from_environment
from qse_customer.rules.kind_protocol import BaseRuleKind, CompiledRule
from qse_customer.stores import MemoryStore, SQLiteStore, StoreError, open_store

_T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


# Every built-in but SMTP, which is on only when QSE_SMTP_URL is set.
ALWAYS_ON = [name for name, _ in plugins.BUILTIN_PLUGINS if name != "qse_customer.smtp_notifier"]


@pytest.fixture
def manager() -> QSEPluginManager:
    return QSEPluginManager(entry_points=False)


@pytest.fixture(autouse=True)
def fresh_process_manager() -> Iterator[None]:
    get_plugin_manager.cache_clear()
    yield
    get_plugin_manager.cache_clear()


class StoresPlugin:
    """A plugin providing whatever mapping it is given."""

    def __init__(self, backends: object) -> None:
        self.backends = backends

    @hookimpl
    def qse_storage_backends(self) -> Any:
        return self.backends


def test_built_ins_are_registered_as_plugins_by_name(manager: QSEPluginManager) -> None:
    assert manager.plugin_names() == ALWAYS_ON
    assert all(manager.is_builtin(name) for name in manager.plugin_names())
    providers = manager.storage_providers()
    assert sorted(providers) == ["memory", "postgresql", "sqlite"]
    assert providers["sqlite"].plugin == "qse_customer.sqlite_store"
    assert providers["sqlite"].default
    assert list(manager.survey_backends()) == ["file"]
    assert [name for name, _ in manager.notifiers()] == ["qse_customer.logging_notifier"]
    assert manager.hook_names() == [
        "qse_notify",
        "qse_rule_kinds",
        "qse_storage_backends",
        "qse_survey_backends",
    ]


def test_smtp_is_a_built_in_plugin_when_the_environment_configures_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "QSE_SMTP_URL", "smtp://mail.lab.example?from=a@lab.example&to=b@lab.example"
    )
    manager = get_plugin_manager()
    assert manager.plugin_names() == [name for name, _ in plugins.BUILTIN_PLUGINS]
    assert manager.is_builtin("qse_customer.smtp_notifier")
    assert [name for name, _ in manager.notifiers()] == [
        "qse_customer.smtp_notifier",
        "qse_customer.logging_notifier",
    ]


def test_starting_up_imports_no_backend() -> None:
    """The built-in plugins are registered without their backends: ``qse-customer --help``
    imports no database driver, no SMTP and no delivery code."""
    code = (
        "import sys, contextlib, io\n"
        "from qse_customer.cli.main import main\n"
        "from qse_customer.plugins import get_plugin_manager\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "get_plugin_manager().storage_backends()\n"
        "print(sorted(m for m in sys.modules if m in {'sqlite3', 'psycopg', 'smtplib'} or "
        "m.startswith(('qse_customer.stores.sqlite', 'qse_customer.stores.postgres', "
        "'qse_customer.notifiers.smtp', 'qse_customer.notifiers.delivery'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_clean_env()
    )
    assert done.stdout.strip() == "[]"


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "QSE_SMTP_URL"}


def test_the_process_manager_is_built_once() -> None:
    assert get_plugin_manager() is get_plugin_manager()


def test_open_store_picks_the_backend_by_scheme(tmp_path: Path) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    with open_store(f"sqlite:///{tmp_path / 'lab.db'}") as store:
        assert isinstance(store, SQLiteStore)


def test_an_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(UnknownBackendError, match=r"'postgres'.*memory:// \(qse_customer"):
        open_store("postgres://lab")


@pytest.mark.parametrize("url", ["lab.db", "", "memory:"])
def test_a_string_that_is_not_a_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="store URL"):
        open_store(url)


def test_a_memory_url_takes_no_path() -> None:
    with pytest.raises(ValidationError, match="no path"):
        open_store("memory://lab")


def test_an_installed_plugin_wins_over_a_built_in(manager: QSEPluginManager) -> None:
    mine = MemoryStore()
    manager.register(StoresPlugin({"sqlite": lambda url: mine}), "my-sqlite")
    assert manager.open_store("sqlite:///ignored.db") is mine
    assert manager.storage_providers()["sqlite"].plugin == "my-sqlite"


def test_two_plugins_claiming_one_scheme_are_named(manager: QSEPluginManager) -> None:
    manager.register(StoresPlugin({"lis": MemoryStore}), "vendor-a")
    manager.register(StoresPlugin({"lis": MemoryStore}), "vendor-b")
    with pytest.raises(PluginConflictError, match=r"'lis'.*vendor-b, vendor-a") as raised:
        manager.open_store("lis://x")
    assert set(raised.value.plugins) == {"vendor-a", "vendor-b"}


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (["sqlite"], "must return a mapping.*got list"),
        ({"lis": "not callable"}, "returned str for URL scheme 'lis'; expected a store factory"),
        ({"LIS Store": MemoryStore}, "returned the URL scheme 'LIS Store'"),
        ({3: MemoryStore}, "returned the URL scheme 3"),
    ],
)
def test_a_plugin_returning_the_wrong_type_is_named(
    manager: QSEPluginManager, returned: object, message: str
) -> None:
    manager.register(StoresPlugin(returned), "sloppy-plugin")
    with pytest.raises(
        PluginResultError, match=f"plugin 'sloppy-plugin': qse_storage_backends {message}"
    ) as raised:
        manager.open_store("memory://")
    assert raised.value.plugin == "sloppy-plugin"


def test_a_plugin_raising_in_its_hook_is_named(manager: QSEPluginManager) -> None:
    class Raising:
        @hookimpl
        def qse_storage_backends(self) -> Mapping[str, Any]:
            raise KeyError("config")

    manager.register(Raising(), "raising-plugin")
    with pytest.raises(PluginResultError, match="'raising-plugin' raised in qse_storage_backends"):
        manager.storage_backends()


def test_a_factory_returning_something_else_than_a_store_is_named(
    manager: QSEPluginManager,
) -> None:
    manager.register(StoresPlugin({"lis": lambda url: {"not": "a store"}}), "odd-plugin")
    with pytest.raises(PluginResultError, match=r"'odd-plugin'.*returned dict.*not a store"):
        manager.open_store("lis://x")


def test_a_factory_failing_to_open_names_the_plugin_and_url(manager: QSEPluginManager) -> None:
    def refuse(url: str) -> MemoryStore:
        raise PermissionError("no access to the LIS")

    manager.register(StoresPlugin({"lis": refuse}), "lis-plugin")
    with pytest.raises(StoreError, match=r"'lis-plugin' could not open 'lis://x'.*no access"):
        manager.open_store("lis://x")


def test_a_hook_with_a_misspelt_name_is_refused(manager: QSEPluginManager) -> None:
    class Typo:
        @hookimpl
        def qse_storage_backend(self) -> Mapping[str, Any]:
            return {}

    manager.register(Typo(), "typo-plugin")
    with pytest.raises(PluginLoadError, match=r"'typo-plugin'.*qse_storage_backends") as raised:
        manager.check_pending()
    assert raised.value.plugin == "typo-plugin"


def test_a_hook_with_wrong_arguments_is_refused(manager: QSEPluginManager) -> None:
    class WrongArguments:
        @hookimpl
        def qse_notify(self, message: object) -> None:
            pass

    with pytest.raises(PluginLoadError, match="'wrong-plugin' cannot be registered"):
        manager.register(WrongArguments(), "wrong-plugin")


def test_registering_needs_a_stable_name(manager: QSEPluginManager) -> None:
    with pytest.raises(ValidationError, match="plugin name"):
        manager.register(StoresPlugin({}), "")
    manager.register(StoresPlugin({}), "same")
    with pytest.raises(PluginConflictError, match="'same'"):
        manager.register(StoresPlugin({}), "same")


def test_unregister_removes_what_a_plugin_provided(manager: QSEPluginManager) -> None:
    manager.register(StoresPlugin({"lis": MemoryStore}), "lis-plugin")
    assert "lis" in manager.storage_backends()
    manager.unregister("lis-plugin")
    assert "lis" not in manager.storage_backends()


class Kinds:
    """A plugin providing whatever rule kinds it is given."""

    def __init__(self, kinds: Mapping[str, object]) -> None:
        self.kinds = kinds

    @hookimpl
    def qse_rule_kinds(self) -> Mapping[str, object]:
        return self.kinds


class NoOpKind(BaseRuleKind):
    """A rule kind whose rules never produce a finding."""

    def __init__(self, name: str) -> None:
        self.name = name

    def compile(self, rule: object, context: object) -> CompiledRule:
        return CompiledRule()


def kind_named(name: str) -> NoOpKind:
    return NoOpKind(name)


def test_rule_kinds_are_merged_and_conflicts_named(manager: QSEPluginManager) -> None:
    stat, review = kind_named("stat_turnaround"), kind_named("review_interval")
    manager.register(Kinds({"stat_turnaround": stat}), "kinds-a")
    manager.register(Kinds({"review_interval": review}), "kinds-b")
    assert manager.rule_kinds() == {"stat_turnaround": stat, "review_interval": review}
    manager.register(Kinds({"stat_turnaround": kind_named("stat_turnaround")}), "kinds-c")
    with pytest.raises(PluginConflictError, match=r"rule kind name 'stat_turnaround'.*kinds-"):
        manager.rule_kinds()


@pytest.mark.parametrize(
    ("kinds", "error", "message"),
    [
        ({"response_time": kind_named("response_time")}, PluginConflictError, "built-in kind"),
        ({"stat": kind_named("other")}, PluginResultError, "named 'other' under the name 'stat'"),
        ({"stat": object()}, PluginResultError, "expected a rule kind"),
    ],
)
def test_a_bad_rule_kind_names_its_plugin(
    manager: QSEPluginManager, kinds: Mapping[str, object], error: type[Exception], message: str
) -> None:
    manager.register(Kinds(kinds), "kinds-plugin")
    with pytest.raises(error, match=rf"'kinds-plugin'.*{message}"):
        manager.rule_kinds()


def test_open_survey_backend_by_name(manager: QSEPluginManager, tmp_path: Path) -> None:
    backend = manager.open_survey_backend("file", folder=tmp_path)
    assert type(backend).__name__ == "FileSurveyBackend"
    with pytest.raises(UnknownBackendError, match=r"'paper'.*file"):
        manager.open_survey_backend("paper")


# -- installed plugins through entry points -------------------------------------------------


def install_fake_distribution(
    root: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str, module: str = ""
) -> str:
    """A distribution visible to importlib.metadata, with a module of a fresh name."""
    name = f"fakeplug_{uuid.uuid4().hex[:8]}"
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[qse_customer]\n" + entry_points.replace("MODULE", name) + "\n"
    )
    if module:
        (root / f"{name}.py").write_text(textwrap.dedent(module))
    monkeypatch.syspath_prepend(str(root))
    return name


WORKING_PLUGIN = """
    from qse_customer.stores import MemoryStore
    from qse_customer.plugins import hookimpl

    @hookimpl
    def qse_storage_backends():
        return {"fake": lambda url: MemoryStore()}
"""


def test_an_installed_plugin_is_found_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_distribution(tmp_path, monkeypatch, "fakestore = MODULE", WORKING_PLUGIN)
    manager = get_plugin_manager()
    assert "fakestore" in manager.plugin_names()
    assert not manager.is_builtin("fakestore")
    with open_store("fake://") as store:
        store.save(Complaint.receive(id="c-1", at=_T0, by=None, channel="web", category="x"))


def test_a_plugin_failing_to_import_is_named_with_how_to_block_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_distribution(tmp_path, monkeypatch, "brokenplug = MODULE", "import not_there_\n")
    with pytest.raises(PluginLoadError, match=r"(?s)'brokenplug'.*ModuleNotFoundError") as raised:
        get_plugin_manager()
    assert raised.value.plugin == "brokenplug"
    assert f"{DISABLE_PLUGINS_ENV}=brokenplug" in str(raised.value)


def test_the_environment_blocks_a_named_plugin_or_every_installed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_distribution(tmp_path, monkeypatch, "brokenplug = MODULE", "import not_there_\n")
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, "brokenplug, qse_customer.logging_notifier")
    manager = get_plugin_manager()
    assert "brokenplug" not in manager.plugin_names()
    assert manager.notifiers() == []
    get_plugin_manager.cache_clear()
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, "1")
    assert get_plugin_manager().plugin_names() == ALWAYS_ON


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", (False, [])),
        ("1", (True, [])),
        ("ALL", (True, [])),
        ("a, b,,", (False, ["a", "b"])),
    ],
)
def test_the_environment_variable_is_read(value: str, expected: tuple[bool, list[str]]) -> None:
    assert blocked_from_environment({DISABLE_PLUGINS_ENV: value}) == expected
