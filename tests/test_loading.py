"""The YAML loader keeps YAML 1.2 semantics and every position, and refuses unsafe features."""

from __future__ import annotations

import pytest

from generator.errors import UserError
from generator.loading import parse_facts


def test_yaml_12_keeps_norway_a_string_and_dates_as_text() -> None:
    loaded = parse_facts(b"country: NO\nanswer: yes\nsince: 2024-07-21\ncount: 017\n", "f.yaml")
    assert loaded.data == {"country": "NO", "answer": "yes", "since": "2024-07-21", "count": 17}


def test_positions_of_keys_and_values_are_one_based() -> None:
    loaded = parse_facts(b"a:\n  - b: 1\n    c: [x, y]\n", "f.yaml")
    assert loaded.value_points[("a", 0, "c", 1)] == (3, 12)
    assert loaded.key_points[("a", 0, "c")] == (3, 5)
    assert loaded.point_of_value(("a", 0, "missing")) == (2, 5)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"a: 1\na: 2\n", "f.yaml:2:1: a: duplicate key 'a' (first defined at line 1)"),
        (b"a: &x 1\nb: *x\n", "f.yaml:1:4: a: anchors (&x) are not allowed; facts files use no anchors or aliases"),
        (b"b: *x\n", "f.yaml:1:4: b: aliases (*x) are not allowed; write the value out in full"),
        (b"a: !!str 1\n", "f.yaml:1:4: a: tags (!!str) are not allowed; write plain values"),
        (b"a: 1\n---\nb: 2\n", "f.yaml:2:1: a facts file holds one YAML document; remove the second '---'"),
        (b"[" * 30 + b"]" * 30, "f.yaml:1:25: nested deeper than 24 levels; the facts schema is far shallower"),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused_where_it_stands(source: bytes, expected: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_facts(source, "f.yaml")
    assert str(raised.value) == expected


def test_a_byte_order_mark_is_accepted() -> None:
    assert parse_facts(b"\xef\xbb\xbfa: 1\n", "f.yaml").data == {"a": 1}
