"""Where a row's worktree may go (issue 12 item 5, issue 14 item 9).

A Worktree cell is text anyone with push access wrote. `fan-out` runs `git worktree add`
there, which checks out files and runs the branch's `post-checkout` hook, so a cell must
not reach a `.git` folder (`.git/hooks`), a folder on PATH (`~/.local/bin`) or anywhere
else outside the fleet's place: the worktree root, by default the folder that holds the
repository, where the course lab puts its siblings (`tasks-app-42-count`).

The checks are pure: the caller resolves paths (symlinks followed) and passes them in.
"""

from __future__ import annotations

from pathlib import Path, PurePath, PurePosixPath


def cell_problem(cell: str) -> str | None:
    """What is wrong with a Worktree cell as written, None if nothing is."""
    if cell.startswith("~"):
        return ("starts with `~`, which fleetbot does not expand; write a folder name "
                "(a sibling of the repository) or an absolute path")
    if any(p.lower() == ".git" for p in PurePosixPath(cell.replace("\\", "/")).parts):
        return "names a .git folder"
    return None


def place(cell: str, *, main_root: Path, root: Path) -> Path:
    """The folder a cell names, not yet resolved: a bare or `./` name inside `root`; a
    `../` path from the main worktree, as the lab's `fan-out.sh` reads it; an absolute
    path as written."""
    path = Path(cell)
    if path.is_absolute():
        return path
    if path.parts[:1] == ("..",):
        return main_root / path
    return root / path


def path_problem(resolved: PurePath, *, root: PurePath, main_root: PurePath) -> str | None:
    """What is wrong with where a cell resolves (all three paths resolved), None if it
    lies inside the worktree root and outside the main worktree and every `.git`."""
    if any(p.lower() == ".git" for p in resolved.parts):
        return f"resolves to {resolved}, inside a .git folder"
    if resolved == main_root or main_root in resolved.parents:
        return (f"resolves to {resolved}, inside the main worktree {main_root} (where "
                "`git status` shows it and `git add -A` commits it)")
    if resolved == root:
        return f"resolves to the worktree root {root} itself"
    if root not in resolved.parents:
        return f"resolves to {resolved}, outside the worktree root {root}"
    return None
