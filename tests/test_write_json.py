"""Plan folder JSON (`write.dumps_indented`): the same text as `json.dumps(..., indent=2)`, the reference writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.results.write import dumps_indented, write_json

CASES = [
    {},
    [],
    {"a": {}, "b": [], "c": [[]], "d": [{}]},
    {"row": {"id": "qingyang", "racks": 1200.0, "share": 0.35, "flag": True, "none": None, "n": 3}},
    {"rows": [{"id": "a", "cf": 1e-05, "big": 1e16}, {"id": "b", "cf": -0.0, "big": 123456789.125}]},
    {"special": [float("nan"), float("inf"), -float("inf")]},
    {1: "int key", 2.5: "float key", False: "bool key", None: "null key"},
    {"text": ["中文 名称", 'quote " and \\ backslash', "line\nbreak", "\x01\x7f\u2028", ""]},
    {"path": Path("/tmp/plan"), "tuple": (1, (2, 3)), "set_like": frozenset({1})},
    [1, [2, [3, {"deep": {"deeper": [{"x": 1}]}}]], "end"],
    {"mixed": [1, "two", {"three": 3}, [4]], "scalar": 5},
    7,
    "alone",
    None,
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_text_as_the_python_json_encoder(data: object) -> None:
    assert dumps_indented(data) == json.dumps(data, ensure_ascii=False, indent=2, default=str)


def test_a_validated_case_as_written_to_inputs_json(tmp_path: Path) -> None:
    from planner import load_inputs
    from tests.conftest import TinyCase

    inputs = load_inputs(TinyCase(tmp_path).write()).model_dump(mode="json")
    write_json(tmp_path / "inputs.json", inputs)
    expected = json.dumps(inputs, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n"
    assert (tmp_path / "inputs.json").read_text(encoding="utf-8") == expected
