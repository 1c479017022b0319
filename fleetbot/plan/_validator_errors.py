"""The exceptions the generated `plan_validator` raises: fastjsonschema's names, defined
here so the generated module runs without fastjsonschema installed."""

from __future__ import annotations

from typing import Any


class JsonSchemaValueException(ValueError):
    """The data is not valid against the schema."""

    def __init__(self, message: str, value: Any = None, name: str | None = None,
                 definition: Any = None, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule


class JsonSchemaValuesException(JsonSchemaValueException):
    """Several errors at once (fastjsonschema's "all errors" mode, not used here)."""
