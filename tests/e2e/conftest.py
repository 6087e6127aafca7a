"""pytest set-up shared by every tests/e2e/test_*.py: which padguard is under
test ($PADGUARD, or --padguard, which sets $PADGUARD before test modules are
imported), the work/cache directory under the build tree, and the count of
checks made, printed before pytest's own summary line."""
import os

import pytest

import fixturelib as fl


def pytest_addoption(parser):
    parser.addoption("--padguard", help="padguard binary under test (default: $PADGUARD)")
    parser.addoption("--workdir", help="objects and scratch files (default: $PADGUARD_WORKDIR, "
                                       "else e2e-work/ next to the padguard binary)")
    parser.addoption("--regen-goldens", action="store_true",
                     help="test_diff_check: rewrite fixtures/diff/goldens from gcc's output (review the git diff!)")


def pytest_configure(config):
    if config.getoption("--padguard"):
        os.environ["PADGUARD"] = os.path.abspath(config.getoption("--padguard"))
    if config.getoption("--workdir"):
        os.environ["PADGUARD_WORKDIR"] = os.path.abspath(config.getoption("--workdir"))
    pg = os.environ.get("PADGUARD")
    if not pg:
        raise pytest.UsageError("which padguard? set PADGUARD=build/padguard or pass --padguard")
    if not (os.path.isfile(pg) and os.access(pg, os.X_OK)):
        raise pytest.UsageError(f"PADGUARD={pg} is not an executable file (build it first)")
    os.environ["PADGUARD"] = os.path.abspath(pg)
    config.addinivalue_line("markers", "whole_module: runs only when its whole module is selected")
    config.pluginmanager.register(_AfterSelection(), "padguard-after-selection")


@pytest.fixture(scope="session")
def padguard():
    return fl.padguard()


@pytest.fixture(scope="session")
def validator():
    """docs/schema/padguard.schema.json, for every test that checks JSON output."""
    return fl.schema_validator()


@pytest.fixture(scope="session")
def workdir():
    return fl.work_root()


@pytest.fixture
def check():
    """A fresh fl.Checks; the test ends with check.done()."""
    return fl.Checks()


_collected = {}
_checks = {"made": 0, "tests": 0}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        _collected.setdefault(item.module.__name__, set()).add(item.nodeid)


class _AfterSelection:
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        _deselect_partial_modules(config, items)


def _deselect_partial_modules(config, items):
    """A test marked `whole_module` (a count over everything a file runs) is
    deselected when -k or node ids selected only part of its module."""
    kept = {}
    for item in items:
        kept.setdefault(item.module.__name__, set()).add(item.nodeid)
    drop = [i for i in items if i.get_closest_marker("whole_module")
            and (kept[i.module.__name__] != _collected[i.module.__name__] or len(kept[i.module.__name__]) == 1)]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    yield
    if call.when == "call":
        c = item.funcargs.get("check") if hasattr(item, "funcargs") else None
        _checks["made"] += max(1, c.count) if isinstance(c, fl.Checks) else 1
        _checks["tests"] += 1


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"e2e: {_checks['made']} checks in {_checks['tests']} tests")
