"""``qse-customer --help`` and ``import qse_customer`` load what they need, no more: the command
modules, the engine, the stores and the reports are imported when a command (or a name) is
first used, and what the user sees is the same as with everything loaded."""

from __future__ import annotations

import ast
import contextlib
import io
import subprocess
import sys
import textwrap

import pytest

import qse_customer as qse
from qse_customer.cli.commands import COMMANDS
from qse_customer.cli.main import build_parser, main

HEAVY = (
    "qse_customer.rules",
    "qse_customer.stores",
    "qse_customer.reports.content",
    "qse_customer.review",
    "qse_customer.analysis.",  # the package itself only names its exports
    "qse_customer.cli.common",
    "pendulum",
    "jsonschema",
    "holidays",
)


def _loaded_after(code: str) -> list[str]:
    probe = (
        "import sys, contextlib, io\n"
        f"{code}\n"
        f"print(sorted({{m.split('.')[0] if not m.startswith('qse_customer') else m "
        f"for m in sys.modules if m.startswith({HEAVY!r})}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return ast.literal_eval(done.stdout)  # a printed list of module names


def test_help_loads_no_command_and_no_engine() -> None:
    code = (
        "from qse_customer.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])"
    )
    assert _loaded_after(code) == []


def test_importing_the_package_loads_nothing_until_a_name_is_used() -> None:
    assert _loaded_after("import qse_customer") == []
    assert "qse_customer.rules" in _loaded_after("import qse_customer; qse_customer.check")


def test_the_top_level_help_is_the_same_with_every_command_loaded() -> None:
    assert build_parser(load=set()).format_help() == build_parser().format_help()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_commands_help_is_the_same_when_it_alone_is_loaded(command: str) -> None:
    texts = []
    for parser in (build_parser(), build_parser(load={command})):
        out = io.StringIO()
        with contextlib.suppress(SystemExit), contextlib.redirect_stdout(out):
            parser.parse_args([command, "--help"])
        texts.append(out.getvalue())
    assert texts[0] == texts[1] and command in texts[0]


def test_an_unknown_command_is_refused_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bogus"]) == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


def test_sub_packages_are_reachable_from_the_root_without_importing_them() -> None:
    assert qse.rules.load_ruleset is qse.load_ruleset
    assert qse.review.management_review is qse.review.management_review
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = qse.no_such_name  # type: ignore[attr-defined]


def test_every_exported_name_is_the_object_not_a_module_of_that_name() -> None:
    """Lazy exports meet modules of the same name (``review.management_review``): whatever was
    imported first, a package hands out the function, never the module."""
    code = textwrap.dedent(
        """
        import importlib, pkgutil, types, qse_customer
        walked = pkgutil.walk_packages(qse_customer.__path__, "qse_customer.")
        names = [m.name for m in walked if not m.name.endswith("__main__")]
        modules = [importlib.import_module(name) for name in names]
        wrong = []
        for module in [qse_customer, *modules]:
            if hasattr(module, "__path__"):
                for exported in getattr(module, "__all__", []):
                    if isinstance(getattr(module, exported), types.ModuleType):
                        wrong.append(f"{module.__name__}.{exported}")
        print(wrong)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
