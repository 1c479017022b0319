"""Releases: one version, refs in the docs that the release makes, a PyPI-safe package.

The sdist and the wheel are built here for real (hatchling, no build isolation, so no
network) and checked with `twine check --strict`, as the release workflow does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import fleetbot
from scripts import release

ROOT = Path(__file__).resolve().parent.parent
VERSION = fleetbot.__version__
MAJOR = "v" + VERSION.split(".")[0]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "CHANGELOG.md",
        ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "examples").rglob("*.yml"))]


def test_the_version_has_one_source() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert '[tool.hatch.version]\npath = "fleetbot/__init__.py"' in pyproject
    assert not re.search(r"^version\s*=", pyproject, re.M)
    assert release.version() == VERSION
    out = subprocess.run([sys.executable, "-m", "fleetbot", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out == f"fleetbot, version {VERSION}\n"


def test_every_ref_the_docs_pin_is_one_the_release_makes() -> None:
    """`uses: fleetbot/fleetbot@X` is the major tag or this release's tag; pre-commit's
    `rev:` is this release's tag. The release workflow makes both (release.yml)."""
    uses, revs = [], []
    for path in DOCS:
        text = path.read_text()
        uses += [(path.name, m) for m in re.findall(r"fleetbot/fleetbot@([\w.-]+)", text)]
        revs += [(path.name, m) for m in re.findall(r"^[#\s-]*rev:\s*(\S+)", text, re.M)]
    assert {n for n, _ in uses} >= {"README.md", "action.md", "fleetbot.yml"}
    assert {n for n, _ in revs} >= {"README.md", ".pre-commit-hooks.yaml"}
    assert all(ref in {MAJOR, f"v{VERSION}"} for _, ref in uses), uses
    assert all(ref == f"v{VERSION}" for _, ref in revs), revs
    assert release.check(f"v{VERSION}") == MAJOR
    with pytest.raises(SystemExit, match="is not the package version"):
        release.check("v99.0.0")


def test_the_changelog_has_this_release_and_its_notes() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "[Keep a Changelog](https://keepachangelog.com/" in text
    assert re.search(rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.M)
    assert f"[{VERSION}]: https://github.com/fleetbot/fleetbot/releases/tag/v{VERSION}" in text
    notes = release.notes(VERSION)
    assert notes.startswith("The first release.") or notes.startswith("###")
    assert "## [" not in notes
    with pytest.raises(SystemExit, match="no section"):
        release.notes("0.0.1", "## [Unreleased]\n\n## [0.0.1] - 2026-01-01\n\n")


def test_the_readme_is_safe_on_pypi() -> None:
    """PyPI shows README.md without the repository: every link is absolute."""
    text = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links
    assert all(link.startswith("https://") for link in links), links
    assert "pre-commit install --hook-type pre-push" in text
    assert "_FLEETBOT_COMPLETE=bash_source fleetbot" in text
    assert "fleetbot --version" in text
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


@pytest.mark.slow  # builds both distributions: CI's second step
def test_sdist_and_wheel_build_and_pass_twine_check_strict(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True, text=True)
    wheel = tmp_path / f"fleetbot-{VERSION}-py3-none-any.whl"
    sdist = tmp_path / f"fleetbot-{VERSION}.tar.gz"
    assert wheel.exists() and sdist.exists(), sorted(p.name for p in tmp_path.iterdir())
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel),
                            str(sdist)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == 2

    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        metadata = whl.read(f"fleetbot-{VERSION}.dist-info/METADATA").decode()
    assert "fleetbot/schemas/report.schema.json" in names
    assert f"fleetbot-{VERSION}.dist-info/licenses/LICENSE" in names
    assert "License-Expression: MIT" in metadata
    assert "Project-URL: Source, https://github.com/fleetbot/fleetbot" in metadata
    assert "Classifier: Programming Language :: Python :: 3.10" in metadata
    assert "Description-Content-Type: text/markdown" in metadata
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"action.yml", "action-constraints.txt", "LICENSE", "CHANGELOG.md",
            "fleetbot/__init__.py", "schemas/plan.schema.json"} <= members
    assert not any(m.startswith((".venv", ".ci/")) for m in members)
