"""Precision and recall of the form prefill on written conversations (en and ru).

Each case in ``prefill_cases.jsonl`` is what a customer wrote before choosing a form and
the values a careful person would put into that form from it. A predicted value counts
as right only if the expected one for that field is the same (case and spacing aside).
Run ``pytest tests/conversation/test_prefill_quality.py -s`` to see the figures.
"""

import json
from pathlib import Path

import pytest

from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.conversation.prefill import prefill

CASES = Path(__file__).with_name("prefill_cases.jsonl")
KB = Path(__file__).parents[2] / "kb"
MIN_PRECISION, MIN_RECALL = 0.95, 0.7


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(KB)


def test_the_case_set_is_large_enough_and_bilingual(content: Content) -> None:
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    assert len(cases) >= 40
    assert {c["lang"] for c in cases} == {"en", "ru"}
    for case in cases:
        form = content.forms[case["form"]]
        assert set(case["expected"]) <= {f.id for f in form.fields}, case


def test_prefill_precision_and_recall(content: Content) -> None:
    right = predicted = expected = 0
    misses: list[str] = []
    for number, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), start=1):
        case = json.loads(line)
        got = prefill(content.forms[case["form"]], case["messages"])
        want: dict[str, str] = case["expected"]
        predicted += len(got)
        expected += len(want)
        for field_id, value in got.items():
            if field_id in want and _norm(want[field_id]) == _norm(value):
                right += 1
            else:
                misses.append(f"line {number}: wrong {field_id}={value!r}")
        misses += [f"line {number}: missed {k}={v!r}" for k, v in want.items() if k not in got]
    precision = right / predicted if predicted else 1.0
    recall = right / expected
    print(f"\nprefill over {number} conversations: precision {precision:.3f} "
          f"({right}/{predicted}), recall {recall:.3f} ({right}/{expected})")
    print("\n".join(misses))
    assert precision >= MIN_PRECISION, misses
    assert recall >= MIN_RECALL, misses
