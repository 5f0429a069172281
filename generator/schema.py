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
from typing import Any, cast

from pydantic import BaseModel
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
        model = cast(type[BaseModel], schema["cls"])
        documented = attribute_docstrings(model)
        properties = json_schema.get("properties", {})
        for name, field in model.model_fields.items():
            key = field.validation_alias if isinstance(field.validation_alias, str) else field.alias or name
            if key in properties and documented.get(name):
                properties[key].setdefault("description", documented[name])
        return json_schema


def attribute_docstrings(model: type) -> dict[str, str | None]:
    """Each field's docstring (the string right under its annotation), from the nearest of the
    model's classes that annotates the field, as pydantic read them: a field annotated again
    without a docstring has none."""
    found: dict[str, str | None] = {}
    for defining in model.__mro__:
        if "__annotations__" in vars(defining) and not defining.__module__.startswith("pydantic"):
            for name, docstring in _class_docstrings(defining.__module__, defining.__qualname__).items():
                found.setdefault(name, docstring)
    return found


@cache
def _class_docstrings(module: str, qualified_name: str) -> dict[str, str | None]:
    """Every annotated name of the class's body with the docstring under it, if any; nothing for a
    class whose source cannot be read (defined in a function, or installed without its source)."""
    try:
        body: list[ast.stmt] = _module_tree(module).body
    except (OSError, TypeError, KeyError):
        return {}
    for part in qualified_name.split("."):
        found = next((node.body for node in body if isinstance(node, ast.ClassDef) and node.name == part), None)
        if found is None:
            return {}
        body = found
    return {
        statement.target.id: (
            inspect.cleandoc(following.value.value)
            if isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
            else None
        )
        for statement, following in pairwise([*body, ast.Pass()])
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


@cache
def _module_tree(module: str) -> ast.Module:
    """A module's syntax tree, parsed once for all its classes."""
    return ast.parse(inspect.getsource(sys.modules[module]))
