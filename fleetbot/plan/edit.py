"""Add dependencies to a YAML or JSON plan by editing only the node that changes.

The text is edited at PyYAML's node marks (JSON composes as YAML), so comments,
order and formatting elsewhere stay byte for byte.
"""

from __future__ import annotations

import json

import yaml

from fleetbot.errors import PlanError
from fleetbot.model import Plan
from fleetbot.plan.cells import is_none


def _key(node: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None


def _edits_for_row(text: str, row: yaml.MappingNode, deps: list[str]) -> tuple[int, int, str]:
    """(start, end, replacement) that adds `deps` to this row's depends_on."""
    quoted = [json.dumps(d) for d in deps]
    found = _key(row, "depends_on")
    if found is None:
        if row.flow_style:
            last = row.value[-1][1]
            at = last.end_mark.index
            return at, at, f', "depends_on": [{", ".join(quoted)}]'
        anchor = _key(row, "branch") or row.value[-1]
        key_node = anchor[0]
        line_end = text.find("\n", anchor[1].end_mark.index)
        line_end = len(text) if line_end < 0 else line_end
        indent = " " * key_node.start_mark.column
        return line_end, line_end, f"\n{indent}depends_on: [{', '.join(quoted)}]"
    _, value = found
    start, end = value.start_mark.index, value.end_mark.index
    if isinstance(value, yaml.ScalarNode):
        kept = [] if is_none(str(value.value)) else [
            json.dumps(str(value.value))
        ]
        prefix = " " if start == end else ""
        return start, end, f"{prefix}[{', '.join([*kept, *quoted])}]"
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        close = text.rfind("]", start, end)
        sep = ", " if value.value else ""
        return close, close, sep + ", ".join(quoted)
    if isinstance(value, yaml.SequenceNode) and value.value:
        first = value.value[0]
        line_start = text.rfind("\n", 0, first.start_mark.index) + 1
        prefix = text[line_start : first.start_mark.index]
        at = value.value[-1].end_mark.index
        return at, at, "".join(f"\n{prefix}{q}" for q in quoted)
    raise PlanError("cannot add a dependency to this depends_on", line=value.start_mark.line + 1)


def add_dependencies(plan: Plan, wanted: dict[int, list[str]]) -> str:
    """The plan text with `wanted` (row index -> refs) appended to each row's depends_on."""
    root = yaml.compose(plan.text, Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    rows_entry = _key(root, "rows")
    assert rows_entry is not None and isinstance(rows_entry[1], yaml.SequenceNode)
    rows = rows_entry[1].value
    edits = []
    for index, deps in wanted.items():
        row = rows[index]
        assert isinstance(row, yaml.MappingNode)
        edits.append(_edits_for_row(plan.text, row, deps))
    text = plan.text
    for start, end, new in sorted(edits, key=lambda e: -e[0]):
        text = text[:start] + new + text[end:]
    return text
