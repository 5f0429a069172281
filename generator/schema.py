"""The JSON Schema of a facts file, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

import json
from typing import Any

from generator.facts import Company

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def facts_schema() -> dict[str, Any]:
    """The schema of one company's facts file."""
    schema = Company.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "policygen company facts"}


def facts_schema_text() -> str:
    """The schema as the committed ``schema/company.schema.json`` holds it."""
    return json.dumps(facts_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
