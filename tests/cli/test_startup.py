"""Start-up stays lean: `fleetbot --help` loads click and the lazy root group only, and a
JSON `check` of an unchanged Markdown plan loads no schema validator, Markdown parser,
YAML, rich, glob library or forge client, and a plain plan needs no Markdown parser at
all. Deterministic: what is in `sys.modules`, never how long it took."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.fleetrepo import tasks_repo
from tests.support.repo import make_repo

HEAVY = ("pathspec", "yaml", "jsonschema", "referencing", "rich", "markdown_it", "tempfile",
         "github", "gitlab", "requests")

PROBE = """
import json, sys
from fleetbot.cli import run
code = run(sys.argv[1:]) if len(sys.argv) > 1 else None
sys.stdout.flush()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy}
                        or m.startswith("fleetbot"))), file=sys.stderr)
"""


def loaded(*argv: str, cwd: Path | None = None) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *argv],
                          cwd=cwd, capture_output=True, text=True, check=False)
    modules: list[str] = json.loads(proc.stderr.strip().splitlines()[-1])
    return modules


def test_importing_the_root_group_loads_only_click_and_it() -> None:
    assert loaded() == ["fleetbot", "fleetbot.cli", "fleetbot.errors"]


def test_help_loads_no_command_module() -> None:
    assert loaded("--help") == ["fleetbot", "fleetbot.cli", "fleetbot.errors"]


def test_json_check_of_an_unchanged_plan_loads_nothing_heavy(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    first = loaded("check", "--format", "json", cwd=repo.path)  # records the plan
    assert "markdown_it" not in first  # a plain plan: its tables are followed line by line
    assert [m for m in loaded("check", "--format", "json", cwd=repo.path)
            if m.split(".")[0] in HEAVY] == []


def test_a_plan_with_a_list_is_read_by_markdown_it_once(tmp_path: Path) -> None:
    repo = tasks_repo(tmp_path)
    plan = repo.path / "orchestration-plan.md"
    plan.write_text(plan.read_text() + "\n- a list item: markdown-it says where blocks end\n")
    repo.git("commit", "-qam", "a list in the notes")
    assert "markdown_it" in loaded("check", "--format", "json", cwd=repo.path)
    assert "markdown_it" not in loaded("check", "--format", "json", cwd=repo.path)


def test_help_loads_neither_pathlib_nor_shutil() -> None:
    """Each costs milliseconds of a `--help` that must stay under 60 ms; click needs neither
    when the root group hands it the help width (cli._help_width)."""
    probe = ("import sys\nfrom fleetbot.cli import run\nrun(['--help'])\nsys.stdout.flush()\n"
             "print(sorted({'pathlib', 'shutil'} & set(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False)
    assert proc.stderr.strip().splitlines()[-1] == "[]"
    assert "Usage: fleetbot" in proc.stdout


def test_the_interface_parser_loads_only_for_a_change_that_can_touch_a_signature(
        tmp_path: Path) -> None:
    util = "def helper(a):\n    return a\n"
    plan = ("| Issue | Branch | Worktree | Files owned | Depends on | Status |\n|---|---|---|---|---|---|\n"
            "| #1 a | body | | `util.py` | none | running |\n"
            "| #2 b | user | | `use.py` | none | running |\n")
    repo = make_repo(tmp_path, {"util.py": util, "orchestration-plan.md": plan}, {
        "body": {"util.py": util.replace("return a", "return a + 1")},
        "user": {"use.py": "from util import helper\n\nhelper(1)\n"},
    })
    assert "fleetbot.analysis.pyapi" not in loaded("conflicts", "--format", "json",
                                                   cwd=repo.path)
    repo.git("switch", "-q", "body")
    repo.commit({"util.py": util.replace("(a)", "(a, b)")}, "a required parameter")
    assert "fleetbot.analysis.pyapi" in loaded("conflicts", "--format", "json", cwd=repo.path)
