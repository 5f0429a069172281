"""The committed JSON Schema is current, valid, documented, and agrees with the model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, Field

from generator.cli import main
from generator.loading import read_facts_file
from generator.schema import SCHEMA_DIALECT, DocumentedFields, facts_schema, facts_schema_text

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "schema" / "company.schema.json"
MINIMAL = ROOT / "tests" / "fixtures" / "valid" / "minimal.yaml"


def test_the_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == facts_schema_text(), (
        "schema/company.schema.json is out of date with the facts model; run `make schema` and commit the result"
    )


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = facts_schema()
    assert schema["$schema"] == SCHEMA_DIALECT
    Draft202012Validator.check_schema(schema)


def _properties(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``(path, subschema)`` declared under a ``properties`` keyword, at any depth."""
    if isinstance(node, dict):
        for name, subschema in node.get("properties", {}).items():
            yield f"{path}/properties/{name}", subschema
        for key, value in node.items():
            yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{path}/{index}")


def test_every_property_has_a_description() -> None:
    properties = list(_properties(facts_schema()))
    assert len(properties) > 50
    undocumented = [path for path, subschema in properties if not subschema.get("description", "").strip()]
    assert undocumented == [], "add a docstring under each of these fields"


def test_the_minimal_fixture_satisfies_the_schema() -> None:
    facts = read_facts_file(MINIMAL).data
    errors = [error.message for error in Draft202012Validator(facts_schema()).iter_errors(facts)]
    assert errors == []


@pytest.mark.parametrize(
    ("path", "value", "complaint"),
    [
        (("purposes", 0, "legal_basis"), "contrcat", "'contrcat' is not valid under any of the given schemas"),
        (("cookies", 0, "lifetime"), "two years", "'two years' does not match"),
        (("controller", "legal_nmae"), "Przykład Sp. z o.o.", "Additional properties are not allowed"),
        (("data_categories", 1, "id"), "Usage Data", "'Usage Data' does not match"),
    ],
)
def test_the_schema_refuses_what_the_model_refuses(path: tuple[str | int, ...], value: str, complaint: str) -> None:
    facts = read_facts_file(MINIMAL).data
    parent = facts
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    messages = [error.message for error in Draft202012Validator(facts_schema()).iter_errors(facts)]
    assert any(complaint in message for message in messages), messages


def test_the_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == facts_schema_text()
    assert json.loads(captured.out)["title"] == "policygen company facts"


class _Base(BaseModel):
    kind: int = 0
    """What the base means by kind."""
    size: int = 0
    """Inherited as it is."""


class _Derived(_Base):
    kind: int = 1
    source: str = Field(default="", alias="from")
    """Where it comes from, under the key `from`."""


def test_descriptions_come_from_the_docstring_under_each_fields_nearest_annotation() -> None:
    # As pydantic read them: a field annotated again without a docstring has none, an inherited
    # one keeps its base's, and a field is described under the key the schema gives it.
    properties = _Derived.model_json_schema(schema_generator=DocumentedFields)["properties"]
    assert "description" not in properties["kind"]
    assert properties["size"]["description"] == "Inherited as it is."
    assert properties["from"]["description"] == "Where it comes from, under the key `from`."


def test_a_model_whose_source_cannot_be_read_has_a_schema_without_descriptions() -> None:
    class Local(BaseModel):
        name: str = ""
        """Defined in a function: its class cannot be found in the module's source."""

    assert "description" not in Local.model_json_schema(schema_generator=DocumentedFields)["properties"]["name"]
