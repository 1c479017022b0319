"""A report command run again on an unchanged fleet prints what it printed before.

`conflicts`, `order` and `check` print what the pipeline makes of the plan, the refs, the
objects the refs name and the terminal it prints to: the same inputs give the same bytes.
So each run's output is kept in the git dir under a hash of everything it was made from,
and a run with the same inputs writes it again without importing the analysis or asking
git more than its layout and its refs (a pre-push hook, an editor's save hook, `watch
fleetbot check`).

What the hash covers (`inputs`): fleetbot's code (each file's size and time, so an edit in
a checkout counts), the installed libraries (their folder's time), Python; the command, its
options and the current folder; the refs, from the very snapshot the report reads
(`git.refs.ref_lines`), and the git that reads them; this worktree's HEAD; the plan files
of the working copy; the shallow list; the repository's and the user's git config files;
the environment; whether stdout and stderr are terminals, their width and encoding.
Objects never change, so the refs pin the rest. Not kept: a run that failed, one during
which a command that may move a ref ran or a file it hashed changed, one whose plan comes
from another worktree.
FLEETBOT_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

from fleetbot import DEFAULT_PLAN, remembering
from fleetbot.cli.common import StreamWrapper, find_repo, write_raw

if TYPE_CHECKING:
    from fleetbot.git import Git

F = TypeVar("F", bound=Callable[..., int])

KEEP = 64  # answers kept per repository; the least recently used go first ...
KEEP_BYTES = 16 << 20  # ... and past this many bytes in all (a 200-row JSON is ~1.2 MB)
VERSION = 1
# set per shell or per process, never read by fleetbot, git or rich
_VOLATILE = frozenset({"_", "OLDPWD", "PWD", "SHLVL"})


def remembered(command: str) -> Callable[[F], F]:
    """The click callback of `command`, answering from the git dir when nothing it reads
    has changed since it last answered, and remembering what it prints otherwise."""

    def wrap(run: F) -> F:
        @functools.wraps(run)
        def answer(**options: Any) -> int:
            if not remembering():
                return run(**options)
            git = find_repo(options.get("repo"))
            store = Path(git.repo, git.layout().common_dir, "fleetbot", "answers")
            key = inputs(git, command, options)
            if key is None:
                return run(**options)
            kept = _load(store / f"{key}.json")
            if kept is not None:
                return _replay(*kept)
            from fleetbot.git import generation

            before = generation()
            with _recording() as (out, err):
                code = run(**options)
            # kept only if nothing it read moved meanwhile: no ref (the snapshot is still
            # the one read, and no git command that may move one ran), no file it hashed
            if generation() == before and inputs(git, command, options) == key:
                _keep(store, key, code, out.getvalue(), err.getvalue())
            return code

        return cast(F, answer)

    return wrap


def inputs(git: Git, command: str, options: dict[str, Any]) -> str | None:
    """The hash of everything `command` run with `options` in `git` prints from; None
    when a part cannot be read, or is not all here (the plan of another worktree)."""
    from fleetbot.git.refs import ref_lines

    layout = git.layout()
    try:
        here = os.getcwd()
    except OSError:  # the current folder was removed: `--repo` may still name a repository
        return None
    plan = options.get("plan_path")
    plans = [Path(plan)] if plan is not None else [git.repo / DEFAULT_PLAN]
    parts: list[object] = [
        VERSION, _code(), command, sorted((k, str(v)) for k, v in options.items()),
        here, str(git.repo), str(layout.git_dir), ref_lines(git), _git_program(),
        sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE),
        _stream(sys.stdout), _stream(sys.stderr),
    ]
    digest = hashlib.sha256(json.dumps(parts).encode("utf-8", "surrogateescape"))
    files = [*plans, layout.git_dir / "HEAD", layout.common_dir / "shallow",
             layout.common_dir / "config", layout.git_dir / "config.worktree",
             *_user_configs()]
    for i, path in enumerate(files):
        try:
            data = path.read_bytes()  # a relative --plan as the command reads it: from here
        except FileNotFoundError:
            if i < len(plans):
                return None  # a plan read from elsewhere (the main worktree's)
            digest.update(b"-\n")
            continue
        except OSError:
            return None
        digest.update(b"%d\n" % len(data))
        digest.update(data)
    return digest.hexdigest()


@functools.cache
def _code() -> list[object]:
    """fleetbot's files (size, time), the libraries' folder (time: an install or an
    upgrade changes it) and Python: an answer is fleetbot's reading, kept per version."""
    import click

    import fleetbot

    root = Path(fleetbot.__file__).parent
    seen: list[object] = [fleetbot.__version__, sys.version, sys.executable,
                          os.stat(Path(click.__file__).parent.parent).st_mtime_ns]
    # the package, and a source checkout's schemas/ (plan/schemas.py reads them there)
    for top in (root, root.parent / "schemas"):
        for folder, subfolders, names in os.walk(top):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(names):
                st = os.stat(os.path.join(folder, name))
                seen.append((folder, name, st.st_size, st.st_mtime_ns))
    return seen


def _git_program() -> list[object] | None:
    """The git that PATH finds, by its path, size and time: an upgrade in place (same
    PATH) may merge otherwise. Found as `shutil.which` would, without importing shutil."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(folder or ".", "git")
        try:
            st = os.stat(path)
        except OSError:
            continue
        if os.access(path, os.X_OK) and not os.path.isdir(path):
            return [os.path.realpath(path), st.st_size, st.st_mtime_ns]
    return None


def _user_configs() -> list[Path]:
    """git's global and system config files, where git looks for them."""
    home = os.environ.get("HOME", "")
    xdg = os.environ.get("XDG_CONFIG_HOME") or (os.path.join(home, ".config") if home else "")
    found = [Path(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")]
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        found.append(Path(os.environ["GIT_CONFIG_GLOBAL"]))
    else:
        found += [Path(home, ".gitconfig")] if home else []
        found += [Path(xdg, "git", "config")] if xdg else []
    return found


def _stream(stream: TextIO) -> list[object]:
    """What rich and click decide from: a terminal or not, its size, the encoding."""
    try:
        tty = stream.isatty()
        size = tuple(os.get_terminal_size(stream.fileno())) if tty else None
    except (AttributeError, OSError, ValueError):
        tty, size = False, None
    return [tty, size, getattr(stream, "encoding", None), getattr(stream, "errors", None)]


class _Copy(StreamWrapper):
    """A text stream that writes through to `stream` and keeps a copy of what it wrote;
    the rest (terminal, size, encoding) is `stream`'s, so what is printed does not change."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.copy = io.StringIO()

    @property
    def stream(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(text)
        self.copy.write(text)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def getvalue(self) -> str:
        return self.copy.getvalue()


@contextmanager
def _recording() -> Iterator[tuple[_Copy, _Copy]]:
    """stdout and stderr as they are, with a copy of what the command writes to them."""
    out, err = _Copy(sys.stdout), _Copy(sys.stderr)
    sys.stdout, sys.stderr = cast(TextIO, out), cast(TextIO, err)
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = out.stream, err.stream


def _load(path: Path) -> tuple[int, str, str] | None:
    """A kept answer, or None (none kept, or unreadable: then the command runs)."""
    try:
        raw = json.loads(path.read_text("utf-8", "surrogateescape"))
    except (OSError, ValueError):
        return None
    if not (isinstance(raw, dict) and isinstance(raw.get("code"), int)
            and isinstance(raw.get("out"), str) and isinstance(raw.get("err"), str)):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest
    return raw["code"], raw["out"], raw["err"]


def _replay(code: int, out: str, err: str) -> int:
    """Write a kept answer as the command wrote it; its exit code."""
    write_raw(sys.stdout, out)
    write_raw(sys.stderr, err)
    return code


def _keep(store: Path, key: str, code: int, out: str, err: str) -> None:
    """Remember an answer (atomically); past KEEP answers or KEEP_BYTES, forget the least
    recently used (the one just written stays). An answer that cannot be written is not
    kept: it is never needed to answer right."""
    from fleetbot.files import WriteError, write_atomic

    data = json.dumps({"code": code, "out": out, "err": err}).encode("utf-8", "surrogateescape")
    try:
        store.mkdir(parents=True, exist_ok=True)
        write_atomic(store / f"{key}.json", data, durable=False)
        kept = sorted(((p.stat(), p) for p in store.glob("*.json")),
                      key=lambda sp: sp[0].st_mtime_ns, reverse=True)
        total = 0
        for i, (st, path) in enumerate(kept):
            total += st.st_size
            if i and (i >= KEEP or total > KEEP_BYTES):
                path.unlink(missing_ok=True)
    except (OSError, WriteError):
        pass
