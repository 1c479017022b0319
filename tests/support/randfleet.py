"""Random small fleets on real repos, for the property tests (pairs, stops): a base of a
few files in two folders, and per branch one or two edits, adds, deletes, file moves or a
folder rename, so pairs can collide through shared paths and through path moves."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from tests.support.repo import Repo

BASE = {
    "d1/a.txt": "a1\na2\na3\n",
    "d1/b.txt": "b1\nb2\nb3\n",
    "d2/c.txt": "c1\nc2\nc3\n",
    "top.txt": "t1\nt2\nt3\n",
}
NEW_PATHS = ["d1/new.txt", "d2/new.txt", "d3/new.txt", "d2/a.txt", "top2.txt", "d1"]

Op = tuple[str, str, str]  # (kind, path, value)

ops = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from(sorted(BASE)), st.sampled_from(["x", "y"])),
    st.tuples(st.just("add"), st.sampled_from(NEW_PATHS), st.sampled_from(["x", "y"])),
    st.tuples(st.just("delete"), st.sampled_from(sorted(BASE)), st.just("")),
    st.tuples(st.just("mvdir"), st.just("d1"), st.sampled_from(["d2", "d4"])),
    st.tuples(st.just("mv"), st.sampled_from(sorted(BASE)), st.sampled_from(["moved.txt",
                                                                            "d3/m.txt"])),
)


def fleets(max_rows: int = 3) -> st.SearchStrategy[list[list[Op]]]:
    """Two to `max_rows` branches of one or two operations each."""
    return st.lists(st.lists(ops, min_size=1, max_size=2), min_size=2, max_size=max_rows)


def apply(repo: Repo, op: Op) -> None:
    """One operation in the work tree (a no-op where it does not fit the tree)."""
    kind, path, value = op
    p = repo.path / path
    if kind == "edit" and p.is_file():
        lines = p.read_text().splitlines()
        lines[1] = f"{lines[1]}-{value}"
        p.write_text("\n".join(lines) + "\n")
    elif kind == "add" and not p.exists() and not (p.parent.exists() and p.parent.is_file()):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"new {value}\n")
    elif kind == "delete" and p.is_file():
        repo.git("rm", "-qf", path)
    elif kind == "mvdir" and p.is_dir() and not (repo.path / value).exists():
        repo.git("mv", path, value)
    elif kind == "mv" and p.is_file() and not (repo.path / value).exists():
        (repo.path / value).parent.mkdir(parents=True, exist_ok=True)
        repo.git("mv", path, value)


def build_fleet(path: Path, fleet: list[list[Op]]) -> tuple[Repo, list[str]]:
    """A repo at `path` with BASE on main and branch b<i> per entry of `fleet`, each one
    commit of its operations forked from main; back on main. The branch names, in order."""
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    repo.commit(BASE, "base")
    branches = []
    for i, steps in enumerate(fleet):
        name = f"b{i}"
        repo.git("checkout", "-q", "-b", name, "main")
        for op in steps:
            apply(repo, op)
        repo.git("add", "-A")
        repo.git("commit", "-q", "--allow-empty", "-m", name)
        repo.git("checkout", "-q", "main")
        branches.append(name)
    return repo, branches
