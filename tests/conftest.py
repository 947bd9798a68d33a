"""Suite-wide settings: integration tests are marked by folder, and no test touches ~/.kadmin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

_INTEGRATION = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _INTEGRATION in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True, scope="session")
def _isolated_kadmin_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """kadmin's own state (local-cluster pointer) goes to a temp dir; the jar cache stays shared."""
    mp = pytest.MonkeyPatch()
    mp.setenv("KADMIN_HOME", str(tmp_path_factory.mktemp("kadmin-home")))
    mp.setenv("COLUMNS", "120")
    # Clusters given by KADMIN_TEST_BOOTSTRAP* may serve several test runs at once: an apply there
    # waits for another run's apply lock instead of failing. Lock tests pass --lock-timeout 0.
    mp.setenv("KADMIN_LOCK_TIMEOUT", "120")
    mp.delenv("KADMIN_BOOTSTRAP_SERVER", raising=False)
    mp.delenv("NO_COLOR", raising=False)
    yield
    mp.undo()
