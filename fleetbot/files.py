"""Atomic, faithful file rewrites: the one way fleetbot writes a file a person may own.

A rewrite goes to a temporary file in the same folder, is fsync'ed and renamed over the
old one, so a full disk or a crash leaves the old file whole. It is refused when the file
changed since it was read (someone saved an edit meanwhile), keeps the file's line endings
and byte-order mark, and never writes through a symlink it was told not to follow.
"""

from __future__ import annotations

import contextlib
import os
from enum import Enum
from pathlib import Path

from fleetbot.errors import FleetbotError, UsageError
from fleetbot.frozen import frozen

BOM = b"\xef\xbb\xbf"


class WriteError(FleetbotError):
    """The new file could not be written (full disk, permissions); the old one is intact."""


class FileChanged(UsageError):
    """The file changed on disk after fleetbot read it; nothing was written."""


class Symlinks(str, Enum):
    """What a write does when the path is a symlink."""

    FOLLOW = "follow"  # write the file the link points to (a plan kept elsewhere)
    REPLACE = "replace"  # replace the link itself; the file it pointed to is untouched


@frozen
class Snapshot:
    """A file as read: its bytes (None when it did not exist), size and mtime."""

    path: str
    data: bytes | None
    mtime_ns: int = 0
    size: int = 0

    @property
    def bom(self) -> bool:
        return bool(self.data and self.data.startswith(BOM))

    @property
    def newline(self) -> str:
        """The file's line ending: CRLF when most of its lines end so, else LF."""
        if not self.data:
            return "\n"
        crlf = self.data.count(b"\r\n")
        return "\r\n" if crlf and crlf * 2 >= self.data.count(b"\n") else "\n"


def snapshot(path: Path | str) -> Snapshot:
    """Read `path` (following symlinks) for a later `write_like`."""
    p = Path(path)
    try:
        st = p.stat()
        data = p.read_bytes()
    except FileNotFoundError:
        return Snapshot(str(p), None)
    except OSError as exc:
        raise WriteError(f"{p}: cannot read it ({exc.strerror})") from exc
    return Snapshot(str(p), data, st.st_mtime_ns, st.st_size)


def encode_like(text: str, like: Snapshot | None) -> bytes:
    """`text` in the line endings and BOM of `like` (LF, no BOM for a new file)."""
    body = text.lstrip("\ufeff").replace("\r\n", "\n")
    if like is not None and like.newline == "\r\n":
        body = body.replace("\n", "\r\n")
    data = body.encode("utf-8")
    return BOM + data if like is not None and like.bom else data


def unchanged(path: Path, expect: Snapshot) -> bool:
    """Whether `path` still holds what `expect` read (bytes, not only mtime and size)."""
    now = snapshot(path)
    if expect.data is None:
        return now.data is None
    return now.data == expect.data


def write_like(path: Path | str, text: str, expect: Snapshot | None, *,
               symlinks: Symlinks = Symlinks.FOLLOW) -> str:
    """Write `text` in `expect`'s style; returns a note when a symlink was replaced."""
    return write_atomic(path, encode_like(text, expect), expect=expect, symlinks=symlinks)


def write_atomic(path: Path | str, data: bytes, *, expect: Snapshot | None = None,
                 symlinks: Symlinks = Symlinks.FOLLOW, durable: bool = True) -> str:
    """Temp file in the same folder, fsync, rename. Refuses when the file changed since
    `expect` was read. Returns a note when a symlink was replaced, else "".

    `durable=False` is for fleetbot's own caches: no fsync (a crash may lose the new
    content, never leave half a file, and a lost cache is only asked again) and the file
    stays readable by its owner only, as the temporary file was made."""
    import tempfile  # not every command writes: 3 ms of start-up it need not pay

    p = Path(path)
    note = ""
    if p.is_symlink():
        if symlinks is Symlinks.FOLLOW:
            p = Path(os.path.realpath(p))
        else:
            note = (f"{p} was a symlink to {os.readlink(p)}; replaced the link with a file "
                    "(the file it pointed to is untouched)")
    if expect is not None and not unchanged(p, expect):
        raise FileChanged(f"{p} changed on disk since fleetbot read it; nothing was written "
                          "(re-run the command to start from the new content)")
    folder = p.parent
    mode = _mode_of(p) if durable else None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"{p}: cannot write in {folder} ({exc.strerror}); nothing was "
                         "changed") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise WriteError(f"{p}: could not write it ({exc.strerror}); the old file is "
                         "unchanged") from exc
    if durable:
        _fsync_dir(folder)
    return note


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777 if not path.is_symlink() else 0o644
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["FileChanged", "Snapshot", "Symlinks", "WriteError", "encode_like", "snapshot",
           "write_atomic", "write_like"]
