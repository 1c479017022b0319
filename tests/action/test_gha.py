from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from fleetbot.action.runner import (
    ActionEnv,
    append_summary,
    emit,
    format_outputs,
    read_event,
    write_outputs,
)
from fleetbot.errors import UsageError
from fleetbot.render.workflow import (
    annotation,
    command,
    escape_data,
    escape_property,
    mask_command,
)


def test_escape_follows_the_runner_rules() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotation_pins_file_and_line_and_escapes_properties() -> None:
    line = annotation("warning", "drift: touched\nb.py", file="src/a,b.py", line=3, title="x:y")
    assert line == "::warning file=src/a%2Cb.py,line=3,title=x%3Ay::drift: touched%0Ab.py"


def test_annotation_without_properties() -> None:
    assert annotation("notice", "hello") == "::notice::hello"
    with pytest.raises(ValueError, match="unknown"):
        annotation("debugx", "no")


def test_command_skips_empty_properties() -> None:
    assert command("error", "m", file="", line=None) == "::error::m"


def test_mask_command() -> None:
    assert mask_command("ghs_secret") == "::add-mask::ghs_secret"


def test_emit_writes_one_line() -> None:
    buf = io.StringIO()
    emit("::notice::x", buf)
    assert buf.getvalue() == "::notice::x\n"


def test_outputs_use_a_random_multiline_delimiter() -> None:
    text = format_outputs({"order": '[\n  "#42"\n]', "next": "#42"})
    marks = re.findall(r"^order<<(ghadelimiter_[0-9a-f]{32})$", text, re.M)
    assert len(marks) == 1
    assert text.startswith(f"order<<{marks[0]}\n[\n  \"#42\"\n]\n{marks[0]}\nnext<<")
    assert format_outputs({"a": "1"}) != format_outputs({"a": "1"})  # fresh delimiter per call


def test_outputs_refuse_a_value_containing_the_delimiter() -> None:
    with pytest.raises(ValueError, match="delimiter"):
        format_outputs({"a": "x EOF y"}, delimiter="EOF")


def test_write_outputs_and_summary_append(tmp_path: Path) -> None:
    out, summary = tmp_path / "out", tmp_path / "summary"
    write_outputs(str(out), {"verdict": "clean"})
    write_outputs(str(out), {"next": "#1"})
    append_summary(str(summary), "# one")
    append_summary(str(summary), "two\n\n")
    assert out.read_text().count("<<ghadelimiter_") == 2
    assert summary.read_text() == "# one\ntwo\n"
    write_outputs("", {"x": "y"})  # unset: nothing, no error
    append_summary("", "x")


def test_env_reads_runner_variables() -> None:
    env = ActionEnv.from_environ({
        "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": "/e.json",
        "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": "http://127.0.0.1:9/",
        "GITHUB_RUN_ID": "7", "GITHUB_TOKEN": "t1", "INPUT_TOKEN": "t2",
    })
    assert env.api_url == "http://127.0.0.1:9"
    assert env.token == "t2"
    assert env.run_url == "https://github.com/o/r/actions/runs/7"
    assert env.branch == ""
    assert ActionEnv(ref="refs/heads/trunk").branch == "trunk"
    assert ActionEnv(ref="refs/pull/3/merge").branch == ""
    env.require()


def test_env_outside_a_workflow_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="GITHUB_EVENT_NAME"):
        ActionEnv.from_environ({}).require()


def test_read_event_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        read_event(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("[1]")
    with pytest.raises(UsageError, match="not a JSON object"):
        read_event(str(bad))
    bad.write_text("{")
    with pytest.raises(UsageError, match="not a JSON"):
        read_event(str(bad))
