"""YAML and JSON plan text -> plain data with a line per node, bounded on hostile input.

Before anything is built, the text is scanned: YAML anchors and aliases are refused
(a plan never needs them, and an alias bomb or a recursive alias would otherwise hang or
crash), nesting deeper than `MAX_DEPTH` and numbers longer than `MAX_DIGITS` are refused,
each with file:line. Only then is the text composed (PyYAML keeps every node's line).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from fleetbot.errors import PlanError

LineMap = dict[tuple[str | int, ...], int]  # path of a node ("rows", 0, "branch") -> line

MAX_DEPTH = 64  # a plan is four levels deep; anything near this is not a plan
MAX_DIGITS = 100
_LONG_NUMBER = re.compile(r"(?<![\w.\"'])-?\d{" + str(MAX_DIGITS + 1) + ",}")
_OPEN = (yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken,
         yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_CLOSE = (yaml.BlockEndToken, yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)


def _refuse(message: str, file: str, line: int, hint: str, code: str = "invalid-file") -> PlanError:
    return PlanError(message, file=file, line=line, hint=hint, code=code)


def _check_json(text: str, file: str, first_line: int) -> None:
    depth, in_str, escape, line = 0, False, False, first_line
    for ch in text:
        if ch == "\n":
            line += 1
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _refuse(f"nested more than {MAX_DEPTH} levels deep", file, line,
                              "a plan is a mapping with a `rows` list of flat rows",
                              code="too-deep")
        elif ch in "]}":
            depth -= 1


def check_bounds(text: str, file: str, kind: str, first_line: int = 1) -> None:
    """Refuse anchors/aliases, deep nesting and huge numbers before building anything."""
    for m in _LONG_NUMBER.finditer(text):
        line = first_line + text.count("\n", 0, m.start())
        raise _refuse(f"a number of {len(m.group().lstrip('-'))} digits", file, line,
                      f"plan numbers are issue numbers: at most {MAX_DIGITS} digits")
    if kind == "json":
        _check_json(text, file, first_line)
        return
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            line = first_line + token.start_mark.line
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise _refuse(
                    "YAML anchors and aliases (`&name`, `*name`) are not accepted in a plan",
                    file, line, "write the value out where it is used",
                )
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _refuse(f"nested more than {MAX_DEPTH} levels deep", file, line,
                                  "a plan is a mapping with a `rows` list of flat rows",
                                  code="too-deep")
            elif isinstance(token, _CLOSE):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, first_line) from None


def _yaml_error(exc: yaml.YAMLError, file: str, first_line: int) -> PlanError:
    mark = getattr(exc, "problem_mark", None)
    line = first_line + (mark.line if mark is not None else 0)
    problem = getattr(exc, "problem", None) or "syntax error"
    column = f" (column {mark.column + 1})" if mark is not None else ""
    return _refuse(f"invalid YAML: {problem}{column}", file, line,
                   "fix the YAML syntax at that line (indentation and `key: value` are typical)")


def _node_to_data(node: yaml.Node, path: tuple[str | int, ...], lines: LineMap,
                  first_line: int) -> Any:
    """A composed YAML node -> plain data, recording each node's line."""
    lines[path] = first_line + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(yaml.safe_load(yaml.serialize(key_node)))
            out[key] = _node_to_data(value_node, (*path, key), lines, first_line)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_data(n, (*path, i), lines, first_line) for i, n in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def load_data(text: str, file: str, kind: str, first_line: int = 1) -> tuple[Any, LineMap]:
    """Bounded YAML/JSON text -> (data, line marks); every error a PlanError at its line."""
    check_bounds(text, file, kind, first_line)
    if kind == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise _refuse(f"invalid JSON: {exc.msg} (column {exc.colno})", file,
                          first_line + exc.lineno - 1,
                          "fix the JSON syntax at that line (a missing comma or quote is "
                          "typical)") from None
        except ValueError as exc:
            raise _refuse(f"invalid JSON: {exc}", file, first_line,
                          "fix the value at that line") from None
    lines: LineMap = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = _node_to_data(node, (), lines, first_line) if node is not None else None
    except yaml.YAMLError as exc:
        if kind == "json":  # valid JSON that YAML 1.1 cannot compose: no line marks
            return json.loads(text), {(): first_line}
        raise _yaml_error(exc, file, first_line) from None
    except ValueError as exc:  # e.g. an integer too long to convert
        raise _refuse(f"invalid value: {exc}", file, first_line, "fix the value") from None
    return data, lines
