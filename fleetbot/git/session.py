"""Merges and synthetic commits asked one after another of two long-lived git processes.

A replayed fan-in is a chain: each step merges onto the commit the step before made, so
the merges cannot go to git as one batch. `git merge-tree --stdin` and `git hash-object
--stdin-paths` answer each line as soon as they read it, so the chain costs two processes
instead of two per step. A git without `merge-tree --stdin` gets one process per call.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from types import TracebackType

from fleetbot.errors import GitError
from fleetbot.git import Git, Layout
from fleetbot.git.mergetree import CommitWriter, _parse_record, commit_tree, merge_trees
from fleetbot.model import MergeResult

MERGE_STDIN = ("merge-tree", "--stdin", "--name-only", "--messages")


def record_length(tokens: Sequence[bytes]) -> int:
    """How many NUL-separated tokens one complete `merge-tree --stdin` record takes, or 0
    while it is still incomplete. The last token is never complete (nothing ends it yet)."""
    last = len(tokens) - 1
    i = 2  # status, tree
    while i < last and tokens[i]:  # conflicted files, then the NUL that ends them
        i += 1
    i += 1
    while i < last and tokens[i].isdigit():  # count, paths, type, message
        i += int(tokens[i]) + 3
    if i >= last or tokens[i]:
        return 0
    return i + 1


class MergeSession:
    """`merge` and `commit` like `mergetree.merge_trees` and `commit_tree`, over one
    `merge-tree --stdin` and one `hash-object --stdin-paths` process (`layout`: as
    `CommitWriter` takes it). Use as a context."""

    def __init__(self, git: Git, layout: Layout | None = None) -> None:
        self.git = git
        self._merge: subprocess.Popen[bytes] | None = None
        self._writer = CommitWriter(git, layout)
        self._buffer = b""
        self._stdin = True
        self._skip = 0  # answers to the cheap follow-up questions still to be read
        import tempfile  # only a replay that merges needs it (start-up: git/cache.py)

        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)

    def __enter__(self) -> MergeSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._writer.__exit__(kind, exc, tb)
        for proc in (self._merge,):
            if proc is not None:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait()
                if proc.stdout:
                    proc.stdout.close()
        self._errors.close()

    def merge(self, a: str, b: str) -> MergeResult:
        """Merge two commits in memory (see `merge_trees`).

        git writes the NUL that ends a record only with the next record, so each question
        is followed by a cheap one (a commit merged with itself) whose answer pushes the
        end of the real one out; that answer is skipped on the next call."""
        if not self._stdin:
            return merge_trees(self.git, a, b)
        if self._merge is None:
            self._merge = self.git.start(*MERGE_STDIN, stderr=self._errors)
        proc = self._merge
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(f"{a} {b}\n{a} {a}\n".encode())
            proc.stdin.flush()
        except BrokenPipeError:
            pass  # git stopped: the read below says why
        while True:
            tokens = self._buffer.split(b"\0")
            n = record_length(tokens)
            if n and self._skip:
                self._buffer = b"\0".join(tokens[n:])
                self._skip -= 1
                continue
            if n:
                self._buffer = b"\0".join(tokens[n:])
                self._skip += 1
                text = [t.decode("utf-8", "surrogateescape") for t in tokens[:n]]
                result, _ = _parse_record(text, 1, clean=text[0] == "1")
                return result
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
            if not chunk:
                return self._stopped(proc, a, b)
            self._buffer += chunk

    def _stopped(self, proc: subprocess.Popen[bytes], a: str, b: str) -> MergeResult:
        """merge-tree ended without an answer: an older git without --stdin (then one
        process per merge from now on), or a merge git refuses (its error)."""
        code = proc.wait()
        self._merge = None
        if code == 129 and not self._buffer and not self._skip:
            self._stdin = False
            return merge_trees(self.git, a, b)
        self._errors.seek(0)
        text = self._errors.read().decode("utf-8", "replace")
        raise GitError(f"git merge-tree could not merge {a} and {b}",
                       argv=["git", *MERGE_STDIN], code=code, stderr=text)

    def commit(self, tree: str, parents: Sequence[str], message: str) -> str:
        """A synthetic commit, the same object `commit_tree` writes."""
        if not self._stdin:
            return commit_tree(self.git, tree, parents, message)
        return self._writer.commit(tree, parents, message)
