"""GitHub's own shapes, vendored in tests/fixtures/github/, as validators for the fake.

`validate_request` / `validate_response` check a REST body against the OpenAPI schema of
its endpoint; `validate_graphql` checks a GraphQL document against GitHub's SDL; `example`
is GitHub's own example response. Refresh the fixtures with scripts/refresh_fixtures.py.
"""

from __future__ import annotations

import copy
import gzip
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jsonschema

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "github"


@lru_cache(maxsize=1)
def openapi() -> dict[str, Any]:
    return json.loads((FIXTURES / "openapi.json").read_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def examples() -> dict[str, Any]:
    return json.loads((FIXTURES / "examples.json").read_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def graphql_schema():  # type: ignore[no-untyped-def]
    from graphql import build_schema

    sdl = gzip.decompress((FIXTURES / "schema.graphql.gz").read_bytes()).decode()
    schema = build_schema(sdl, assume_valid_sdl=True)
    # GitHub's SDL breaks a newer graphql-core rule about deprecated interface fields;
    # the documents we send are still checked field by field against it
    schema._validation_errors = []  # type: ignore[attr-defined]
    return schema


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


def documented(endpoint: str, status: int) -> bool:
    """Whether GitHub documents a JSON body for `status` on `endpoint` (errors too)."""
    return str(status) in openapi()["endpoints"][endpoint]["responses"]


def validate_response(endpoint: str, status: int, body: Any) -> None:
    _validator(endpoint, "response", str(status)).validate(body)


def validate_request(endpoint: str, body: Any) -> None:
    _validator(endpoint, "request").validate(body)


def example(endpoint: str, status: int) -> Any:
    return copy.deepcopy(examples()[f"{endpoint} {status}"])


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
