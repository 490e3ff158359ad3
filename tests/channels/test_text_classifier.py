"""The free-text classifier on our labelled set, plus its building blocks."""

import json
from pathlib import Path
from typing import Any

import pytest
from channel_samples import DATA, METRICS

from selfservice.channels.classify import TextClassifier, features, tokens
from selfservice.channels.text_features import without_disclaimer
from selfservice.content.model import Content
from selfservice.domain.enums import TicketType


def _rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line]


def _metrics(classifier: TextClassifier, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """(macro-F1 of incident vs request, service accuracy)."""
    predicted = [classifier.classify(row["text"]) for row in rows]
    f1s = []
    for label in ("incident", "request"):
        tp = sum(1 for r, p in zip(rows, predicted, strict=True) if r["type"] == label == p.type)
        fp = sum(1 for r, p in zip(rows, predicted, strict=True) if p.type == label != r["type"])
        fn = sum(1 for r, p in zip(rows, predicted, strict=True) if r["type"] == label != p.type)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    correct = sum(1 for r, p in zip(rows, predicted, strict=True) if p.service == r["service"])
    return sum(f1s) / len(f1s), correct / len(rows)


def test_labelled_set_is_well_formed(kb_content: Content) -> None:
    rows = _rows("classify_labelled.jsonl")
    assert len(rows) >= 80
    assert len({r["id"] for r in rows}) == len(rows)
    types = [r["type"] for r in rows]
    assert types.count("incident") == types.count("request")
    assert {r["lang"] for r in rows} == {"en", "ru"}
    assert {r["service"] for r in rows} <= set(kb_content.services)


def test_labelled_set_macro_f1_and_service_accuracy(classifier: TextClassifier) -> None:
    macro_f1, service_accuracy = _metrics(classifier, _rows("classify_labelled.jsonl"))
    METRICS["labelled set (104, written with the cue lists)"] = (
        f"type macro-F1 {macro_f1:.3f}, service accuracy {service_accuracy:.3f}"
    )
    assert macro_f1 >= 0.85
    assert service_accuracy >= 0.80


def test_holdout_set_regression_floor(classifier: TextClassifier) -> None:
    """A second set, written after the classifier and never used to tune it."""
    macro_f1, service_accuracy = _metrics(classifier, _rows("classify_holdout.jsonl"))
    METRICS["holdout set (30, never tuned on)"] = (
        f"type macro-F1 {macro_f1:.3f}, service accuracy {service_accuracy:.3f}"
    )
    assert macro_f1 >= 0.80
    assert service_accuracy >= 0.65


@pytest.mark.parametrize(
    ("text", "kind", "service"),
    [
        ("VPN не подключается с утра", TicketType.INCIDENT, "network"),
        ("Please create a mailbox for Anna", TicketType.REQUEST, "mail"),
        ("Сертификат истёк, сайт показывает ошибку", TicketType.INCIDENT, "certificates"),
        ("Прошу выпустить сертификат для shop.example.ru", TicketType.REQUEST, "certificates"),
    ],
)
def test_examples_with_reasons(
    classifier: TextClassifier, text: str, kind: TicketType, service: str
) -> None:
    result = classifier.classify(text)
    assert (result.type, result.service) == (kind, service)
    assert 0.5 <= result.type_confidence <= 1.0
    assert result.confidence == min(result.type_confidence, result.service_confidence)
    assert any(r.startswith(("incident cue", "request cue")) for r in result.reasons)
    assert any(r.startswith("service words") for r in result.reasons)


@pytest.mark.parametrize("text", ["", "   ", "!!! ???", "qwertyuiop zxcvbnm"])
def test_no_known_words_means_no_service(classifier: TextClassifier, text: str) -> None:
    result = classifier.classify(text)
    assert result.service is None
    assert result.confidence == 0.0


def test_negation_marks_the_next_word() -> None:
    assert "¬работать" in tokens("Почта не работает")
    assert "¬work" in tokens("mail doesn't work") and "¬work" in tokens("mail does not work")
    assert "¬connect" in tokens("I cannot connect")
    assert "¬work" not in tokens("mail works")


def test_features_are_keys_and_adjacent_pairs_without_numbers() -> None:
    assert features("new mailbox 2024") == ["new", "mailbox", "new+mailbox"]


def test_classifier_follows_the_knowledge_base(kb_min: Path) -> None:
    from selfservice.content.loader import load_content

    small = TextClassifier.from_content(load_content(kb_min))
    result = small.classify("I forgot my password")
    assert result.service in set(load_content(kb_min).services)


def test_model_is_built_from_every_service(classifier: TextClassifier, kb_content: Content) -> None:
    assert set(classifier.services) == set(kb_content.services)


_FOOTER_EN = (
    "\n\nThis e-mail and any attachments are confidential and intended solely for the"
    " addressee. If you have received it in error, please notify the sender and delete it;"
    " any copying or disclosure is prohibited."
)
_FOOTER_RU = (
    "\n\nДанное сообщение и вложения конфиденциальны и предназначены только для адресата."
    " Если вы получили его по ошибке, уведомите отправителя и удалите его."
)


@pytest.mark.parametrize(
    ("body", "footer"),
    [
        ("Please give Anna access to the finance share.", _FOOTER_EN),
        ("Прошу выдать Анне доступ к папке бухгалтерии.", _FOOTER_RU),
    ],
)
def test_an_email_disclaimer_does_not_make_a_request_an_incident(
    classifier: TextClassifier, body: str, footer: str
) -> None:
    """The footer says "error" and "ошибке" about nothing that broke."""
    result = classifier.classify(body + footer)
    assert result.type == TicketType.REQUEST
    assert not any("incident cue" in r for r in result.reasons), result.reasons
    kept = without_disclaimer(body + footer)
    assert kept.startswith(body) and len(kept) < len(body) + 40


def test_a_ticket_about_confidential_files_keeps_its_words() -> None:
    text = "The confidential folder on the file server is gone, we get an error opening it."
    assert without_disclaimer(text) == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("We have an issue with the shared printer on the third floor", TicketType.INCIDENT),
        ("Problem with the invoice PDF, it comes out blank", TicketType.INCIDENT),
        ("Please issue a TLS certificate for shop.example.com", TicketType.REQUEST),
        ("The laptop is giving me trouble again", TicketType.INCIDENT),
        ("Reports no longer load in the portal", TicketType.INCIDENT),
        ("Looks like a bug in the backup schedule page", TicketType.INCIDENT),
        ("Отчёты больше не формируются по ночам", TicketType.INCIDENT),
        ("Похоже на баг в личном кабинете", TicketType.INCIDENT),
        ("Please reset the expired password of a contractor", TicketType.REQUEST),
    ],
)
def test_everyday_ways_of_reporting_a_fault(
    classifier: TextClassifier, text: str, kind: TicketType
) -> None:
    assert classifier.classify(text).type == kind
