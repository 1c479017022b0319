"""docs/action.md rendered to HTML and opened in headless Chromium (Debian's package,
installed by .ci/run): the page a user reads, with the example comment and summary in it,
renders — tables, folds, the Mermaid source — and a screenshot of it is taken."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

pytestmark = pytest.mark.slow  # an external tool or a scale test: CI's second step

ROOT = Path(__file__).resolve().parent.parent
CSS = """
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       max-width: 900px; margin: 24px auto; color: #1f2328; }
table { border-collapse: collapse; } th, td { border: 1px solid #d1d9e0; padding: 4px 8px; }
code, pre { background: #f6f8fa; font-family: monospace; } pre { padding: 8px; }
"""


def _chromium() -> str:
    found = next((p for name in ("chromium", "chromium-browser", "google-chrome")
                  if (p := shutil.which(name))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def render_page(markdown: str) -> str:
    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    return f"<!doctype html><meta charset=utf-8><style>{CSS}</style><body>{body}</body>"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_action_docs_render_in_a_headless_browser(tmp_path: Path) -> None:
    chromium = _chromium()
    page = tmp_path / "action.html"
    page.write_text(render_page((ROOT / "docs" / "action.md").read_text()))
    common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=90, check=True).stdout
    # the example comment and summary came through as HTML, not as literal Markdown
    assert dom.count("<table>") >= 5
    assert "<details>" in dom
    assert 'class="language-mermaid"' in dom
    assert "waiting for #42 (collides on tasks/cli.py)" in dom
    assert "|---|" not in dom
    shot = tmp_path / "action.png"
    subprocess.run([*common, "--window-size=1000,2400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=90, check=True)
    assert _png_size(shot) == (1000, 2400)
    assert shot.stat().st_size > 20_000  # a page of text, not a blank frame
