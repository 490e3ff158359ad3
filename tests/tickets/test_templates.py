"""E-mail templates exist in both languages and carry the ticket number."""

from datetime import UTC, datetime

from selfservice.delivery import notify_templates as t
from selfservice.domain.enums import ClosureCode, Language, Status
from selfservice.text.catalogue import catalogue


def test_every_template_and_label_exists_in_both_languages() -> None:
    for lang in Language:
        assert not catalogue().missing(lang.value)
    assert catalogue().keys("mail.sla_alert.") == ["mail.sla_alert.subject", "mail.sla_alert.body"]
    for labels in (t.STATUS_LABELS, t.CLOSURE_LABELS):
        assert set(labels) == set(Language)
    assert all(set(t.STATUS_LABELS[lang]) == set(Status) for lang in Language)
    assert all(set(t.CLOSURE_LABELS[lang]) == set(ClosureCode) for lang in Language)


def test_sla_alert_in_both_languages() -> None:
    due = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
    for lang in Language:
        mail = t.sla_alert(language=lang, number="INC-000001", breached=True, clock="response",
                           due=due, priority="P1", line="L1", group="service-desk",
                           assignee=None, status=Status.REGISTERED)
        assert mail.subject.startswith("[INC-000001] SLA") and "2025-03-03 12:00" in mail.subject
