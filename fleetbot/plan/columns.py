"""Column headers as people write them -> the plan's fields: a small, explicit table.

Headers are compared case- and punctuation-insensitively ("Files owned", "files-owned",
"**Files owned**" are one header). A header not in the table is reported (an
`unused-column` notice naming the closest known column), never dropped in silence.
"""

from __future__ import annotations

import re

# field -> the headers accepted for it (normalised: lower case, words split by spaces)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "issue": ("issue", "issues", "issue #", "issue no", "issue number", "issue ref",
              "ticket", "gh issue", "issue id"),
    "branch": ("branch", "branch name", "git branch", "branches"),
    "worktree": ("worktree", "worktree path", "worktree folder", "worktree dir", "folder",
                 "dir", "directory", "checkout", "work tree"),
    "files_owned": ("files owned", "files", "owned files", "files touched", "paths",
                    "scope", "owns", "owned paths", "touches", "file scope", "ownership",
                    "owned", "touched files"),
    "depends_on": ("depends on", "depends", "dependencies", "deps", "blocked by", "after",
                   "needs", "requires", "prerequisites", "waits for", "depends on issue"),
    "status": ("status", "state", "progress"),
    "title": ("title", "name", "summary"),
}
LOOKUP = {header: name for name, headers in SYNONYMS.items() for header in headers}
SHOWN = {"issue": "Issue", "branch": "Branch", "worktree": "Worktree",
         "files_owned": "Files owned", "depends_on": "Depends on", "status": "Status",
         "title": "Title"}
REQUIRED = ("issue", "branch")


def normalise_header(text: str) -> str:
    """`**Files-owned:**` -> `files owned` (keeps `#` for "Issue #")."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).lower()
    t = re.sub(r"[^\w# ]+", " ", t.replace("_", " "))
    return " ".join(t.split())


def field_of(header: str) -> str | None:
    """The field a header names, or None."""
    return LOOKUP.get(normalise_header(header))


# headers people add for themselves: reported, but never suggested as a misspelt column
FOR_PEOPLE = frozenset({"notes", "note", "owner", "agent", "assignee", "who", "pr",
                        "comments", "comment", "description", "remarks", "eta", "estimate"})


def closest(header: str) -> str:
    """The known column a stray header most resembles (for the notice's hint)."""
    name = normalise_header(header)
    if name in FOR_PEOPLE:
        return ""
    import difflib  # only a misspelt column needs it (2 ms of every start-up)

    hit = difflib.get_close_matches(name, list(LOOKUP), n=1, cutoff=0.75)
    if hit:
        return SHOWN[LOOKUP[hit[0]]]
    for word in name.split():
        for known, fld in LOOKUP.items():
            if word in known.split() and len(word) > 2:
                return SHOWN[fld]
    return ""


def mentions(header: str) -> set[str]:
    """Required fields a header names in passing ("Branch and worktree" -> {branch})."""
    words = set(normalise_header(header).split())
    return {f for f in REQUIRED if f in words or f + "es" in words or f + "s" in words}
