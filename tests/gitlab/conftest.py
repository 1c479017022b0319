"""The `project` fixture: a GitLab project in real git behind the fake GitLab."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from tests.gitlab.gitlabproject import Project, make_project


@pytest.fixture
def project(tmp_path: Path, rsps: responses.RequestsMock) -> Iterator[Project]:
    yield from make_project(tmp_path, rsps)
