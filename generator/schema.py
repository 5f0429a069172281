"""The JSON Schema of a facts file, for editors (yaml-language-server) and other tools.

Each field's description is the docstring written under it in the facts models. They are read
here, from the models' source, only when a schema is made: pydantic's own reading of them
(``use_attribute_docstrings``) happened as the models were defined, a tenth of a second of
every run of policygen, for a schema that only ``policygen schema`` writes.
"""

from __future__ import annotations

import ast
import inspect
import json
import sys
from functools import cache
from itertools import pairwise
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from generator.facts import Company

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def facts_schema() -> dict[str, Any]:
    """The schema of one company's facts file."""
    schema = Company.model_json_schema(mode="validation", schema_generator=DocumentedFields)
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "policygen company facts"}


def facts_schema_text() -> str:
    """The schema as the committed ``schema/company.schema.json`` holds it."""
    return json.dumps(facts_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


class DocumentedFields(GenerateJsonSchema):
    """Pydantic's JSON Schema, each model's properties described by their attribute docstrings."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        documented = attribute_docstrings(schema["cls"])
        for name, field in json_schema.get("properties", {}).items():
            if name in documented:
                field.setdefault("description", documented[name])
        return json_schema


def attribute_docstrings(model: type) -> dict[str, str]:
    """Each field's docstring (the string right under its annotation), the model's own over its bases'."""
    found: dict[str, str] = {}
    for defining in reversed(model.__mro__):
        if defining.__module__.startswith("generator."):
            found |= _class_docstrings(defining.__module__, defining.__qualname__)
    return found


@cache
def _class_docstrings(module: str, qualified_name: str) -> dict[str, str]:
    body = _module_tree(module).body
    for part in qualified_name.split("."):
        body = next(node.body for node in body if isinstance(node, ast.ClassDef) and node.name == part)
    return {
        statement.target.id: inspect.cleandoc(following.value.value)
        for statement, following in pairwise(body)
        if isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and isinstance(following, ast.Expr)
        and isinstance(following.value, ast.Constant)
        and isinstance(following.value.value, str)
    }


@cache
def _module_tree(module: str) -> ast.Module:
    return ast.parse(inspect.getsource(sys.modules[module]))
