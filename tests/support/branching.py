"""A branching scripted solution in the minimal kb, for the kb checks, the engine and the site."""

from pathlib import Path

REL = "articles/compute/vm-down.md"
#: "Does ping answer?" routes each answer: a real L1 decision graph.
STEPS = """\
steps:
  - id: state
    text: Open the control panel and look at the VM's state.
    check: Is the VM running?
    if-yes: ping
    if-no: start
  - id: start
    text: Click Start and wait two minutes.
    check: Does the VM respond now?
  - id: ping
    text: Run `ping 10.0.0.5` from another VM of the network.
    check: Does ping answer?
    if-yes: firewall
    if-no:
      form: vm-down
      prefill:
        os: linux
  - id: firewall
    text: Check the security group allows your port.
    check: Can you connect now?
"""


def article(steps: str, *, lang: str = "en", translation: str | None = None) -> str:
    twin = f"translation: {translation}\n" if translation else ""
    return (
        f"---\nid: vm-down-{lang}\ntitle: VM does not answer\nlang: {lang}\n{twin}"
        "service: compute\naudience: public\nkind: scripted-solution\nupdated: 2026-12-01\n"
        f"{steps}---\nWhen the VM does not answer, go from the outside in.\n"
    )


def write(kb: Path, steps: str = STEPS, rel: str = REL, **kwargs: str) -> Path:
    path = kb / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article(steps, **kwargs), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1
