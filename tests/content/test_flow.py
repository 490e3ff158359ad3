"""Branching scripted solutions: the checks of ``kb check`` (FILE:LINE each) and the paths."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from support.branching import REL, STEPS, line_of, write

from selfservice.cli import main
from selfservice.content import flow
from selfservice.content.loader import check_kb, load_content


def problems_of(kb: Path) -> list[str]:
    return [str(p) for p in check_kb(kb)[1]]


def test_a_branching_script_loads_and_every_path_is_walked(kb_min: Path) -> None:
    write(kb_min)
    content = load_content(kb_min)
    paths = [w.describe() for w in flow.walks(content.articles["vm-down-en"])]
    assert paths == [
        "state(yes) → ping(yes) → firewall(yes) → solved",
        "state(yes) → ping(yes) → firewall(no) → I still need help",
        "state(yes) → ping(no) → form vm-down (os=linux)",
        "state(no) → start(yes) → solved",
        "state(no) → start(no) → ping(yes) → firewall(yes) → solved",
        "state(no) → start(no) → ping(yes) → firewall(no) → I still need help",
        "state(no) → start(no) → ping(no) → form vm-down (os=linux)",
    ]


BROKEN = {
    "unknown step": (
        ("    if-no: start\n", "    if-no: strat\n"), "if-no: strat", "",
        "leads to step 'strat', which does not exist",
    ),
    "unknown form": (
        ("      form: vm-down\n", "      form: vm-dwn\n"), "if-no:", "id: ping",
        "leads to form 'vm-dwn', which does not exist",
    ),
    "unknown prefill field": (
        ("        os: linux\n", "        system: linux\n"), "if-no:", "id: ping",
        "form 'vm-down' has no field 'system' to prefill",
    ),
    "prefill value the form refuses": (
        ("        os: linux\n", "        os: solaris\n"), "if-no:", "id: ping",
        "prefill os='solaris': Choose one of the offered values.",
    ),
    "branch on a step without a question (dead end)": (
        ("    check: Does the VM respond now?\n", "    if-yes: firewall\n"), "if-yes: firewall",
        "id: start", "'if-yes' needs a 'check' question",
    ),
    "a step without a question ending in solved (dead end)": (
        ("    check: Does the VM respond now?\n", "    next: solved\n"), "next: solved", "",
        "only a check question may end in 'solved'",
    ),
    "next on a step with a question": (
        ("    check: Does the VM respond now?\n",
         "    check: Does the VM respond now?\n    next: ping\n"), "next: ping", "",
        "route its answers with 'if-yes' and 'if-no' instead of 'next'",
    ),
    "unreachable step": (
        ("    if-no: start\n", "    if-no: ping\n"), "id: start", "",
        "step 'start' is unreachable",
    ),
    "cycle": (
        ("    if-yes: firewall\n", "    if-yes: state\n"), "if-yes: state", "",
        "cycle: state → ping → state",
    ),
    "route that is not a step id": (
        ("    if-no: start\n", "    if-no: Start Over\n"), "if-no: Start Over", "",
        "must match",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_broken_graph_is_reported_with_file_and_line(kb_min: Path, case: str) -> None:
    (old, new), needle, after, reason = BROKEN[case]
    assert old in STEPS
    path = write(kb_min, STEPS.replace(old, new, 1))
    found = problems_of(kb_min)
    expected = f"{path}:{line_of(path, needle, after)}: "
    assert any(p.startswith(expected) and reason in p for p in found), (expected, found)


def test_a_translation_must_branch_the_same_way(kb_min: Path) -> None:
    en = write(kb_min, translation="vm-down-ru")
    ru_steps = STEPS.replace("    if-yes: firewall\n", "")
    ru = write(kb_min, ru_steps, rel=REL.replace(".md", ".ru.md"), lang="ru",
               translation="vm-down-en")
    found = problems_of(kb_min)
    assert f"{en}:{line_of(en, 'id: ping')}: step 'ping' differs from translation 'vm-down-ru'" \
        " (steps, checks and branches must be the same)" in found
    assert any(p.startswith(f"{ru}:{line_of(ru, 'id: ping')}: ") for p in found)


def test_steps_without_routes_keep_their_meaning(kb_min: Path) -> None:
    """No if-yes / if-no: yes is solved, no the next step, "I still need help" at the end."""
    paths = [w.describe() for w in flow.walks(load_content(kb_min).articles["reset-en"])]
    assert paths == ["open → mail(yes) → solved", "open → mail(no) → I still need help"]


def test_simulate_prints_every_path_of_both_languages(kb_min: Path) -> None:
    write(kb_min)
    result = CliRunner().invoke(main, ["kb", "simulate", "--kb-dir", str(kb_min)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "vm-down-en: state(yes) → ping(no) → form vm-down (os=linux)" in lines
    assert "reset-ru: open → mail(no) → I still need help" in lines
    assert lines[-1].endswith("3 scripted solutions (1 branching), 11 paths: OK")
    only = CliRunner().invoke(
        main, ["kb", "simulate", "--kb-dir", str(kb_min), "--lang", "ru"]
    )
    assert only.exit_code == 0 and "vm-down-en" not in only.output and "reset-ru" in only.output
    unknown = CliRunner().invoke(
        main, ["kb", "simulate", "--kb-dir", str(kb_min), "--article", "nope"]
    )
    assert unknown.exit_code == 1 and "no scripted solution with id 'nope'" in unknown.output


@pytest.mark.parametrize("case", ["unreachable step", "cycle", "unknown step"])
def test_simulate_fails_with_file_and_line(kb_min: Path, case: str) -> None:
    (old, new), needle, after, reason = BROKEN[case]
    path = write(kb_min, STEPS.replace(old, new, 1))
    result = CliRunner().invoke(main, ["kb", "simulate", "--kb-dir", str(kb_min)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(path, needle, after)}: " in result.stderr
    assert reason in result.stderr
    assert "vm-down-en:" not in result.stdout  # a broken script is not walked
    assert "reset-en: open → mail(yes) → solved" in result.stdout  # the others are


def test_the_real_kb_has_branching_scripts_in_both_languages() -> None:
    content = load_content(Path(__file__).resolve().parents[2] / "kb")
    branching = [a for a in content.public_articles() if any(s.branches for s in a.steps)]
    assert sum(1 for a in branching if a.lang == "en") >= 10
    assert {a.translation for a in branching if a.lang == "en"} == {
        a.id for a in branching if a.lang == "ru"
    }


def test_the_routes_as_json_resolve_every_default(kb_min: Path) -> None:
    """What the article API carries per step, for other clients and a future generator."""
    write(kb_min)
    article = load_content(kb_min).articles["vm-down-en"]
    assert [flow.routes_json(article, i) for i in range(4)] == [
        [{"answer": "yes", "to": "step", "step": "ping"},
         {"answer": "no", "to": "step", "step": "start"}],
        [{"answer": "yes", "to": "solved"}, {"answer": "no", "to": "step", "step": "ping"}],
        [{"answer": "yes", "to": "step", "step": "firewall"},
         {"answer": "no", "to": "form", "form": "vm-down", "prefill": {"os": "linux"}}],
        [{"answer": "yes", "to": "solved"}, {"answer": "no", "to": "end"}],
    ]
