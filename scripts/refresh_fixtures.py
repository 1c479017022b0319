#!/usr/bin/env python3
"""Refresh the vendored GitHub shapes in tests/fixtures/github/ from GitHub's own packages.

    python scripts/refresh_fixtures.py            # npm install into a temp dir, then copy
    python scripts/refresh_fixtures.py --from DIR # reuse an existing node_modules/@octokit

What it writes (small on purpose: only the pieces fleetbot's adapter touches):
- openapi.json: for every REST endpoint the adapter calls, its request and response schemas
  from `@octokit/openapi` (generated/api.github.com.json), with the component schemas they
  reference, OpenAPI 3.0 `nullable` turned into JSON Schema (`type: [..., "null"]`);
- schema.graphql.gz: GitHub's GraphQL SDL from `@octokit/graphql-schema` (gzipped);
- examples.json: GitHub's example response for each of those endpoints;
- webhooks/<event>.<action>.json: one real payload per event from `@octokit/webhooks-examples`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "github"
PACKAGES = ["@octokit/webhooks-examples", "@octokit/openapi", "@octokit/graphql-schema"]

# (method, path) of every REST call fleetbot.forge.github makes
ENDPOINTS = [
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/issues"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("get", "/repos/{owner}/{repo}/labels"),
    ("post", "/repos/{owner}/{repo}/labels"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocking"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}"),
    ("post", "/repos/{owner}/{repo}/statuses/{sha}"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/status"),
    # the fleet dashboard (writes/dashboard.py)
    ("post", "/repos/{owner}/{repo}/issues"),
    ("patch", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("post", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"),
]

# event -> actions to vendor (None: the event has no action)
WEBHOOKS: dict[str, list[str | None]] = {
    "pull_request": ["opened", "synchronize", "closed"],
    "push": [None],
    "check_suite": ["completed"],
    "status": [None],
    "workflow_run": ["completed"],
    "issue_comment": ["created"],
    "merge_group": ["checks_requested"],
}


def nullable_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` -> JSON Schema; drops OpenAPI-only keywords."""
    if isinstance(node, list):
        return [nullable_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: nullable_to_jsonschema(v)
        for k, v in node.items()
        if k not in ("nullable", "example", "examples", "description")
        and not k.startswith("x-")
    }
    if node.get("nullable"):
        if "type" in out and isinstance(out["type"], str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for k, v in node.items():
            if k not in ("examples", "example"):
                _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def extract_openapi(spec: dict[str, Any]) -> dict[str, Any]:
    """Request/response schemas of ENDPOINTS plus every component schema they reach."""
    endpoints: dict[str, Any] = {}
    for method, path in ENDPOINTS:
        op = spec["paths"][path][method]
        entry: dict[str, Any] = {"responses": {}}
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "schema" in body:
            entry["request"] = body["schema"]
        for status, resp in op["responses"].items():
            if "$ref" in resp:
                resp = _resolve(spec, resp["$ref"])
            schema = resp.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                entry["responses"][status] = schema
        endpoints[f"{method.upper()} {path}"] = entry
    components: dict[str, Any] = {}
    todo: set[str] = set()
    _refs(endpoints, todo)
    while todo:
        ref = todo.pop()
        name = ref.split("/")[-1]
        if name in components:
            continue
        node = _resolve(spec, ref)
        components[name] = node
        _refs(node, todo)
    rewritten = json.loads(
        json.dumps({"endpoints": endpoints, "components": {"schemas": components}})
        .replace('"#/components/responses/', '"#/components/schemas/')
    )
    return nullable_to_jsonschema(rewritten)  # type: ignore[no-any-return]


def _inline(spec: dict[str, Any], node: Any) -> Any:
    """An example with its nested example `$ref`s replaced by their values."""
    if isinstance(node, list):
        return [_inline(spec, x) for x in node]
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            target = _resolve(spec, node["$ref"])
            return _inline(spec, target.get("value", target))
        return {k: _inline(spec, v) for k, v in node.items()}
    return node


def response_examples(spec: dict[str, Any]) -> dict[str, Any]:
    """GitHub's own example response of each endpoint: `<METHOD> <path> <status>` -> body."""
    out: dict[str, Any] = {}
    for method, path in ENDPOINTS:
        for status, resp in spec["paths"][path][method]["responses"].items():
            if not status.startswith("2"):
                continue
            if "$ref" in resp:
                resp = _resolve(spec, resp["$ref"])
            media = resp.get("content", {}).get("application/json", {})
            named = media.get("examples") or {}
            example = named.get("default") or next(iter(named.values()), None)
            if example is None:
                continue
            if "$ref" in example:
                example = _resolve(spec, example["$ref"])
            out[f"{method.upper()} {path} {status}"] = _inline(spec, example["value"])
    return out


def webhook_examples(index: list[dict[str, Any]]) -> dict[str, Any]:
    """`<event>.<action>.json` (or `<event>.json`) -> the first example of each."""
    out: dict[str, Any] = {}
    for entry in index:
        wanted = WEBHOOKS.get(entry["name"])
        if wanted is None:
            continue
        for action in wanted:
            example = next(
                (e for e in entry["examples"] if e.get("action") == action), None
            )
            if example is None:
                raise SystemExit(f"no {entry['name']}.{action} example in webhooks-examples")
            name = f"{entry['name']}.{action}" if action else entry["name"]
            out[name] = example
    return out


def install(target: Path) -> Path:
    subprocess.run(["npm", "init", "-y"], cwd=target, check=True, capture_output=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", *PACKAGES], cwd=target, check=True
    )
    return target / "node_modules" / "@octokit"


def refresh(octokit: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    spec = json.loads((octokit / "openapi/generated/api.github.com.json").read_text())
    (OUT / "openapi.json").write_text(json.dumps(extract_openapi(spec), indent=1, sort_keys=True))
    (OUT / "examples.json").write_text(json.dumps(response_examples(spec), indent=1))
    sdl = (octokit / "graphql-schema/schema.graphql").read_bytes()
    (OUT / "schema.graphql.gz").write_bytes(gzip.compress(sdl, compresslevel=9, mtime=0))
    hooks = OUT / "webhooks"
    # overwrite, never clear: scripts/vendor_webhooks.py keeps more payloads in this folder
    hooks.mkdir(exist_ok=True)
    index = json.loads((octokit / "webhooks-examples/api.github.com/index.json").read_text())
    for name, payload in webhook_examples(index).items():
        (hooks / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    versions = {
        p: json.loads((octokit / p.split("/")[1] / "package.json").read_text())["version"]
        for p in PACKAGES
    }
    (OUT / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} from {versions}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="src", type=Path, help="an existing node_modules/@octokit")
    args = parser.parse_args()
    if args.src:
        refresh(args.src)
        return
    with tempfile.TemporaryDirectory() as tmp:
        refresh(install(Path(tmp)))


if __name__ == "__main__":
    main()
