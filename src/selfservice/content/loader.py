"""Turn kb/ into typed objects, reporting every problem with ``file:line``.

Layout (see kb/AUTHORING.md): ``services.yml``, ``articles/**.md``, ``internal/**.md``,
``catalog/*.yml``. :func:`check_kb` never raises on bad content: it returns what it
could load plus the full list of problems; :func:`load_content` raises when there is any.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from selfservice.content.article_spec import ArticleSpec, ServicesFile, ServiceSpec
from selfservice.content.fields import Problem, Reader, as_mapping, problems_of
from selfservice.content.flow import check_flow, check_twins
from selfservice.content.forms_loader import load_form
from selfservice.content.model import Article, Content, RequestForm, Route, Service, Step
from selfservice.content.yaml_lines import LineDict, YamlSyntaxError, load_yaml
from selfservice.content.yaml_models import KeyIssue, validated
from selfservice.domain.enums import ArticleKind, Audience, Language, Line

STEP_KEYS = ("id", "text", "check", "if-yes", "if-no", "next")
ROUTE_KEYS = ("form", "prefill")


class ContentError(Exception):
    """kb/ has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        lines = "\n".join(str(p) for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the knowledge base:\n{lines}{tail}")


@dataclass
class _Located:
    """Where an object came from, for problems found by cross-checks."""

    path: Path
    line: int


@dataclass(frozen=True)
class _ServiceLines:
    group: int
    line: int


def load_content(kb_dir: Path, *, groups: Mapping[str, Line] | None = None) -> Content:
    content, problems = check_kb(kb_dir, groups=groups)
    if problems:
        raise ContentError(problems)
    return content


def check_kb(
    kb_dir: Path, *, groups: Mapping[str, Line] | None = None
) -> tuple[Content, list[Problem]]:
    """Load kb/ and list every problem. ``groups`` (support group id → its line, from the
    support configuration): also check that every service names a configured group on
    the line that group is on."""
    problems: list[Problem] = []
    if not kb_dir.is_dir():
        return Content(), [Problem(kb_dir, 0, "knowledge base folder does not exist")]
    service_lines: dict[str, _ServiceLines] = {}
    services = _load_services(kb_dir / "services.yml", problems, service_lines)
    if groups is not None:
        _cross_check_groups(kb_dir / "services.yml", services, service_lines, groups, problems)
    articles: dict[str, Article] = {}
    article_lines: dict[str, dict[str, _Located]] = {}
    for path in _article_files(kb_dir):
        loaded = _load_article(path, kb_dir, problems)
        if loaded is None:
            continue
        article, lines = loaded
        if article.id in articles:
            first = articles[article.id].path
            problems.append(
                Problem(path, lines["id"].line, f"duplicate id '{article.id}' (also in {first})")
            )
            continue
        articles[article.id] = article
        article_lines[article.id] = lines
    forms: dict[str, RequestForm] = {}
    for path in sorted((kb_dir / "catalog").glob("*.y*ml")):
        form, service_line = load_form(path, problems)
        if form is None:
            continue
        if form.id in forms or form.id in articles:
            problems.append(Problem(path, 1, f"duplicate id '{form.id}'"))
            continue
        forms[form.id] = form
        if form.service not in services and services:
            problems.append(Problem(path, service_line, f"unknown service '{form.service}'"))
    _cross_check_articles(articles, article_lines, services, problems)
    for article in articles.values():
        problems.extend(check_flow(article, forms))
        twin = articles.get(article.translation or "")
        if twin is not None and twin.translation == article.id:
            problems.extend(check_twins(article, twin))
    return Content(services=services, articles=articles, forms=forms), sorted(problems)


def _article_files(kb_dir: Path) -> list[Path]:
    files: list[Path] = []
    for folder in ("articles", "internal"):
        files.extend(sorted((kb_dir / folder).rglob("*.md")))
    return files


def _cross_check_groups(
    path: Path,
    services: dict[str, Service],
    lines: dict[str, _ServiceLines],
    groups: Mapping[str, Line],
    problems: list[Problem],
) -> None:
    for service in services.values():
        where = lines[service.id]
        actual = groups.get(service.group)
        if actual is None:
            known = ", ".join(sorted(groups)) or "none"
            problems.append(Problem(
                path, where.group,
                f"service '{service.id}': group '{service.group}' is not defined in the"
                f" support configuration (groups: {known})",
            ))
        elif actual is not service.line:
            problems.append(Problem(
                path, where.line,
                f"service '{service.id}': line {service.line.value}, but group"
                f" '{service.group}' is on {actual.value} in the support configuration",
            ))


def _load_services(
    path: Path, problems: list[Problem], lines: dict[str, _ServiceLines]
) -> dict[str, Service]:
    services: dict[str, Service] = {}
    if not path.is_file():
        problems.append(Problem(path, 0, "services list is missing"))
        return services
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        problems.append(Problem(path, exc.line, exc.reason))
        return services
    problems.extend(problems_of(path, data, validated(ServicesFile, data)[1]))
    items = data.get("services") if isinstance(data, dict) else None
    for index, item in enumerate(items if isinstance(items, list) else []):
        spec = validated(ServiceSpec, item)[0]
        if spec is None:
            continue  # reported above
        if spec.id in services:
            problems.extend(problems_of(path, data, [KeyIssue(
                f"services[{index}].id", f"duplicate service id '{spec.id}'")]))
            continue
        services[spec.id] = Service(
            id=spec.id, name=spec.name.text(), group=spec.group, line=spec.line,
            description=spec.description.text() if spec.description else None,
        )
        lines[spec.id] = _ServiceLines(item.line_of("group"), item.line_of("line"))
    return services


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """``(yaml, body, body_first_line)``, or None when the file has no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


def _load_article(
    path: Path, kb_dir: Path, problems: list[Problem]
) -> tuple[Article, dict[str, _Located]] | None:
    text = path.read_text(encoding="utf-8")
    parts = split_front_matter(text)
    if parts is None:
        problems.append(
            Problem(path, 1, "no front matter: the file must start with '---', YAML fields, '---'")
        )
        return None
    front, body, _ = parts
    try:
        data = load_yaml(front, line_offset=1)
    except YamlSyntaxError as exc:
        problems.append(Problem(path, exc.line, exc.reason))
        return None
    root = as_mapping(data, path, problems, 2)
    if root is None:
        return None
    reader = Reader(root, path, problems)
    spec, issues = validated(ArticleSpec, root)
    problems.extend(problems_of(path, root, issues))
    kind = spec.kind if spec else next((k for k in ArticleKind if k == root.get("kind")), None)
    steps = _load_steps(reader, kind)
    if spec is None:
        return None
    problems.extend(problems_of(path, root, _article_issues(spec, path, kb_dir, body)))
    article = Article(
        id=spec.id, title=spec.title, lang=spec.lang, service=spec.service,
        audience=spec.audience, kind=spec.kind, body=body.strip(), path=path,
        translation=spec.translation, tags=spec.tags, symptoms=spec.symptoms, steps=steps,
        updated=spec.updated, summary=spec.summary,
    )  # fmt: skip
    lines = {
        key: _Located(path, root.line_of(key)) for key in ("id", "service", "translation", "lang")
    }
    return article, lines


def _article_issues(spec: ArticleSpec, path: Path, kb_dir: Path, body: str) -> list[KeyIssue]:
    """What the front matter says against the file's name, folder and body."""
    issues: list[KeyIssue] = []
    expected_lang = Language.RU if path.name.endswith(".ru.md") else Language.EN
    if spec.lang is not expected_lang:
        suffix = ".ru.md" if spec.lang is Language.RU else ".md (no language suffix)"
        issues.append(KeyIssue("lang", f"'{spec.lang}' does not match the file name: use {suffix}"))
    folder = path.relative_to(kb_dir).parts[0]
    if spec.audience is Audience.INTERNAL and folder != "internal":
        issues.append(KeyIssue("audience", "internal articles belong in kb/internal/"))
    if spec.audience is Audience.PUBLIC and folder == "internal":
        issues.append(KeyIssue("audience", "kb/internal/ holds only 'audience: internal'"))
    if not body.strip():
        issues.append(KeyIssue("", "the article has no body text after the front matter"))
    return issues


def _load_steps(reader: Reader, kind: ArticleKind | None) -> tuple[Step, ...]:
    if "steps" not in reader.data:
        if kind is ArticleKind.SCRIPTED_SOLUTION:
            reader.problem(reader.line(), "a scripted-solution needs 'steps'")
        return ()
    steps: list[Step] = []
    seen: set[str] = set()
    items = reader.items("steps")
    if not items and kind is ArticleKind.SCRIPTED_SOLUTION:
        reader.problem(reader.line("steps"), "a scripted-solution needs at least one step")
    for index, item in items:
        step = reader.child("steps", item, f"steps[{index}].")
        step.reject_unknown(STEP_KEYS)
        step_id = step.ident("id")
        text = step.string("text")
        check = step.string("check", required=False)
        if step_id is not None and step_id in seen:
            step.problem(item.line_of("id"), f"duplicate step id '{step_id}'")
            continue
        if step_id is None or text is None:
            continue
        seen.add(step_id)
        routes = {key: _load_route(step, key) for key in ("if-yes", "if-no", "next")}
        steps.append(Step(
            id=step_id, text=text, check=check, yes=routes["if-yes"], no=routes["if-no"],
            next=routes["next"], line=item.line_of("id"),
        ))  # fmt: skip
    return tuple(steps)


def _load_route(step: Reader, key: str) -> Route | None:
    """``if-yes: <step id> | solved`` or ``if-yes: {form: <id>, prefill: {field: value}}``."""
    value = step.data.get(key)
    line = step.line(key)
    if value is None:
        if key in step.data:
            step.problem(line, f"'{step.name(key)}' is empty")
        return None
    if isinstance(value, LineDict):
        route = step.child(key, value, f"{step.name(key)}.")
        route.reject_unknown(ROUTE_KEYS)
        form = route.ident("form")
        prefill = value.get("prefill", {})
        if not isinstance(prefill, LineDict) or not all(
            isinstance(v, str | int | bool)
            or (isinstance(v, list) and all(isinstance(i, str) for i in v))
            for v in prefill.values()
        ):
            route.problem(route.line("prefill"), f"'{route.name('prefill')}' must map field "
                          "ids to values, e.g. {protocol: ikev2}")
            prefill = {}
        if form is None:
            return None
        return Route(form=form, prefill=tuple(prefill.items()), line=line)
    target = step.ident(key)
    if target is None:
        return None
    return Route(line=line) if target == "solved" else Route(step=target, line=line)


def _slug_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".md").removesuffix(".ru"))


def _cross_check_articles(
    articles: dict[str, Article],
    lines: dict[str, dict[str, _Located]],
    services: dict[str, Service],
    problems: list[Problem],
) -> None:
    for article in articles.values():
        where = lines[article.id]
        if services and article.service not in services:
            problems.append(
                Problem(article.path, where["service"].line, f"unknown service '{article.service}'")
            )
        if article.translation is None:
            continue
        line = where["translation"].line
        twin = articles.get(article.translation)
        if twin is None:
            problems.append(
                Problem(article.path, line, f"translation '{article.translation}' does not exist")
            )
        elif twin.lang is article.lang:
            problems.append(
                Problem(article.path, line, f"translation '{twin.id}' is in the same language")
            )
        elif twin.translation != article.id:
            problems.append(
                Problem(
                    article.path,
                    line,
                    f"translation '{twin.id}' does not link back to '{article.id}'",
                )
            )
        elif _slug_of(twin.path) != _slug_of(article.path):
            problems.append(
                Problem(
                    article.path, line,
                    f"translation '{twin.id}' must sit beside this file as "
                    f"{_slug_of(article.path).name}{'.md' if twin.lang == 'en' else '.ru.md'}",
                )
            )  # fmt: skip
