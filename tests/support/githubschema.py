"""GitHub's own shapes, vendored in tests/fixtures/github/, as validators for the fake.

`validate_request` / `validate_response` check a REST body against the OpenAPI schema of
its endpoint; `validate_graphql` checks a GraphQL document against GitHub's SDL; `example`
is GitHub's own example response. Refresh the fixtures with scripts/refresh_fixtures.py.

Each check is as strict as a fresh one but paid once: a REST validator is compiled once
per endpoint and status, and a body it accepted once is not checked again (the fake sends
the same comment, label and list answers many times); a GraphQL document is parsed and
validated once; and GitHub's SDL (1.2 MB, about 2 s to parse and build) is built once per
machine: its introspection, checked to round-trip, is kept in the temp folder (keyed by
the SDL's bytes, graphql-core's and Python's versions) and rebuilt from there in 0.1 s.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import os
import sys
import tempfile
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jsonschema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "github"


@lru_cache(maxsize=1)
def openapi() -> dict[str, Any]:
    return json.loads((FIXTURES / "openapi.json").read_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def examples() -> dict[str, Any]:
    return json.loads((FIXTURES / "examples.json").read_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def graphql_schema():  # type: ignore[no-untyped-def]
    from graphql import build_client_schema

    raw = (FIXTURES / "schema.graphql.gz").read_bytes()
    cached = _introspection_file(raw)
    try:
        introspection = marshal.loads(cached.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        introspection = _introspect(raw)
        part = cached.with_name(f"{cached.name}.{os.getpid()}")
        try:
            part.write_bytes(marshal.dumps(introspection))
            os.replace(part, cached)  # atomic: another test process may be writing it too
        except OSError:  # a read-only temp folder: built again next time
            part.unlink(missing_ok=True)
    # GitHub's SDL breaks a newer graphql-core rule about deprecated interface fields
    # (assume_valid skips that check); the documents we send are still checked field by
    # field against it
    return build_client_schema(introspection, assume_valid=True)


def _introspection_file(raw: bytes) -> Path:
    import graphql

    key = hashlib.sha256(raw + f"|{graphql.__version__}|{sys.version}".encode()).hexdigest()
    return Path(tempfile.gettempdir()) / f"fleetbot-tests-github-sdl-{key[:24]}.marshal"


def _introspect(raw: bytes) -> dict[str, Any]:
    """The SDL built as GitHub's schema, then its introspection (every type, field,
    argument, default, enum value, interface, union member and directive), which must
    rebuild to the same schema."""
    from graphql import build_client_schema, build_schema, introspection_from_schema

    schema = build_schema(gzip.decompress(raw).decode(), assume_valid_sdl=True)
    schema._validation_errors = []  # see graphql_schema
    found = introspection_from_schema(schema, descriptions=False)
    again = build_client_schema(found, assume_valid=True)
    assert introspection_from_schema(again, descriptions=False) == found
    return found  # type: ignore[return-value]


def validate_graphql(query: str) -> None:
    _checked_document(query)


@cache
def _checked_document(query: str):  # type: ignore[no-untyped-def]
    """`query` parsed and validated against the SDL once: fleetbot sends the same few
    documents many times, and a validation costs about 50 ms."""
    from graphql import parse, validate

    document = parse(query)
    errors = validate(graphql_schema(), document)
    assert not errors, [e.message for e in errors]
    return document


@cache
def _validator(endpoint: str, part: str, status: str = "") -> jsonschema.Draft202012Validator:
    entry = openapi()["endpoints"][endpoint]
    schema = entry["request"] if part == "request" else entry["responses"][status]
    root = {**schema, "components": openapi()["components"]}
    return jsonschema.Draft202012Validator(root)


_VALID: set[tuple[str, str, str, str]] = set()  # (endpoint, part, status, body as JSON)


def _validate(endpoint: str, part: str, status: str, body: Any) -> None:
    """`body` checked against its schema, unless exactly this body passed it before."""
    key = (endpoint, part, status, json.dumps(body, sort_keys=True))
    if key not in _VALID:
        _validator(endpoint, part, status).validate(body)
        _VALID.add(key)


def documented(endpoint: str, status: int) -> bool:
    """Whether GitHub documents a JSON body for `status` on `endpoint` (errors too)."""
    return str(status) in openapi()["endpoints"][endpoint]["responses"]


def validate_response(endpoint: str, status: int, body: Any) -> None:
    _validate(endpoint, "response", str(status), body)


def validate_request(endpoint: str, body: Any) -> None:
    _validate(endpoint, "request", "", body)


def example(endpoint: str, status: int) -> Any:
    return _copy(examples()[f"{endpoint} {status}"])


def _copy(data: Any) -> Any:
    """A deep copy of JSON data (dicts, lists and scalars): five times copy.deepcopy's
    speed, which the fake pays on every answer it builds from an example."""
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def validate_graphql_response(query: str, variables: dict[str, Any] | None, data: Any) -> None:
    """Run `query` over the fake's `data` on GitHub's SDL: the variables must fit their
    types, every value its field's type (non-null, enum value, union member named by
    `__typename`), and no field asked for may be missing or one not asked for added."""
    from graphql import ExecutionResult, execute

    def resolve(root: Any, info: Any, **_: Any) -> Any:
        return root[info.path.key]  # by response key: aliases are how fleetbot asks

    result = execute(graphql_schema(), _checked_document(query), root_value=data,
                     variable_values=variables, field_resolver=resolve)
    assert isinstance(result, ExecutionResult)
    assert not result.errors, [f"{e.path}: {e.message}" for e in result.errors]
    assert _asked(data, result.data), "the fake answered fields the query did not ask for"


def _asked(sent: Any, got: Any) -> bool:
    """`sent` is `got`, but for a `__typename` the fake adds to name a union member."""
    if isinstance(sent, dict) and isinstance(got, dict):
        keys = set(sent) - ({"__typename"} - set(got))
        return keys == set(got) and all(_asked(sent[k], got[k]) for k in got)
    if isinstance(sent, list) and isinstance(got, list):
        return len(sent) == len(got) and all(map(_asked, sent, got))
    return bool(sent == got)
