"""kb/ against the support configuration: every service's group exists, on its line."""

from pathlib import Path

from click.testing import CliRunner

from selfservice.cli import main
from selfservice.config.support_config import DEFAULT_PATH, load_support_config
from selfservice.content.loader import check_kb
from selfservice.domain.enums import Line

ROOT = Path(__file__).resolve().parents[2]


def _line(path: Path, needle: str, after: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i > start and needle in line) + 1


def _break_services(kb: Path) -> Path:
    services = kb / "services.yml"
    text = services.read_text(encoding="utf-8")
    text = text.replace("group: service-desk", "group: account-team", 1)  # identity
    head, _, tail = text.partition("id: compute")
    services.write_text(head + "id: compute" + tail.replace("line: L1", "line: L2", 1),
                        encoding="utf-8")
    return services


def _groups() -> dict[str, Line]:
    return {g.id: g.line for g in load_support_config().groups.values()}


def test_the_real_kb_agrees_with_the_default_configuration() -> None:
    content, problems = check_kb(ROOT / "kb", groups=_groups())
    assert [str(p) for p in problems] == []
    assert content.services["billing"].group in _groups()


def test_unknown_group_and_wrong_line_are_reported_with_file_and_line(kb_min: Path) -> None:
    services = _break_services(kb_min)
    _, problems = check_kb(kb_min, groups=_groups())
    found = {(p.path, p.line): p.message for p in problems}
    group_at = (services, _line(services, "group: account-team", "id: identity"))
    line_at = (services, _line(services, "line: L2", "id: compute"))
    assert "group 'account-team' is not defined in the support configuration" in found[group_at]
    assert "service 'identity'" in found[group_at]
    assert "line L2, but group 'service-desk' is on L1" in found[line_at]
    # Without a configuration to compare with, kb/ alone is fine.
    assert check_kb(kb_min)[1] == []


def test_kb_check_cli_compares_with_the_configuration(kb_min: Path, tmp_path: Path) -> None:
    services = _break_services(kb_min)
    result = CliRunner().invoke(main, ["kb", "check", "--kb-dir", str(kb_min)])
    assert result.exit_code == 1
    line = _line(services, "group: account-team", "id: identity")
    assert f"{services}:{line}: service 'identity': group 'account-team'" in result.output
    # The operator's own configuration (SELFSERVICE_CONFIG_FILE or --config) is the one
    # compared with; one that defines the group clears that problem.
    own = tmp_path / "support.yml"
    own.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "  l2-linux:\n",
        "  account-team:\n    line: L1\n    name: {en: Accounts, ru: Аккаунты}\n  l2-linux:\n",
    ), encoding="utf-8")
    result = CliRunner(env={"SELFSERVICE_CONFIG_FILE": str(own)}).invoke(
        main, ["kb", "check", "--kb-dir", str(kb_min)])
    assert "account-team" not in result.output and "1 problem(s)" in result.output
    result = CliRunner().invoke(main, ["kb", "check", "--kb-dir", str(kb_min),
                                       "--config", str(own)])
    assert "account-team" not in result.output and "1 problem(s)" in result.output


def test_a_broken_configuration_is_reported_by_kb_check(kb_min: Path, tmp_path: Path) -> None:
    broken = tmp_path / "support.yml"
    broken.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "    line: L2\n", "    line: L9\n", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["kb", "check", "--kb-dir", str(kb_min),
                                       "--config", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:" in result.output and "line: 'L9' is not one of L1" in result.output


def test_serve_refuses_to_start_when_kb_and_configuration_disagree(
    kb_min: Path, tmp_path: Path
) -> None:
    services = _break_services(kb_min)
    env = {"SELFSERVICE_KB_DIR": str(kb_min), "SELFSERVICE_INDEX_DIR": str(tmp_path / "ix"),
           "SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    result = CliRunner(env=env).invoke(main, ["serve", "--no-build-site"])
    assert result.exit_code == 1
    line = _line(services, "group: account-team", "id: identity")
    assert f"{services}:{line}: service 'identity'" in result.output
    assert not (tmp_path / "ix").exists()  # refused before building anything
