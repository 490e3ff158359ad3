"""What the customer sees of a transition, who may work a ticket, where a new one goes."""

import pytest

from selfservice.config.support_config import load_support_config
from selfservice.domain import staffing
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole, Line
from selfservice.domain.errors import CommentVisibilityFixed, InvalidAssignee, NotOnTheLine
from selfservice.domain.routing import route, unsynced
from selfservice.domain.staffing import check_actor, check_assignee, works_on
from selfservice.domain.visibility import (
    LINE_MOVE,
    TABLE,
    comment_is_public,
    visibility_of,
)
from selfservice.domain.workflow import RULES

ENGINEER, CONTACT, SYSTEM = ActorRole.ENGINEER, ActorRole.CONTACT, ActorRole.SYSTEM


def test_the_table_covers_every_rule_of_the_workflow_and_nothing_else() -> None:
    assert set(TABLE) == {rule.name for rule in RULES}


@pytest.mark.parametrize(("rule", "public"), [
    ("ask_information", True),       # the question to the customer
    ("complete", True),              # the result the customer is asked to confirm
    ("hand_to_external", False),     # who the third party is
    ("back_from_external", False),
    ("start", False),
    ("assign", False),
    ("reassign", False),
    ("unassign", False),
    ("record_confirmation", False),
    ("answer", False),               # an engineer's note of the customer's answer
])
def test_default_visibility_of_an_engineers_comment(rule: str, public: bool) -> None:
    assert comment_is_public(visibility_of(rule), ENGINEER) is public


def test_the_customers_own_words_are_always_public() -> None:
    for rule in TABLE:
        assert comment_is_public(visibility_of(rule), CONTACT) is True
        assert comment_is_public(visibility_of(rule), CONTACT, requested=False) is True


def test_an_engineer_may_choose_where_the_row_allows_it() -> None:
    assert comment_is_public(visibility_of("back_from_external"), ENGINEER, True) is True
    assert comment_is_public(visibility_of("complete"), ENGINEER, False) is False
    # Asking for the default is always fine.
    assert comment_is_public(visibility_of("ask_information"), ENGINEER, True) is True
    with pytest.raises(CommentVisibilityFixed) as fixed:
        comment_is_public(visibility_of("ask_information"), ENGINEER, False)
    assert (fixed.value.code, fixed.value.field) == ("comment_visibility_fixed", "public")
    with pytest.raises(CommentVisibilityFixed):
        comment_is_public(LINE_MOVE, ENGINEER, True)


def test_reassignment_and_moves_between_lines_mail_nobody() -> None:
    assert [name for name, row in TABLE.items() if not row.mail] == ["unassign", "reassign"]
    assert LINE_MOVE.mail is False and LINE_MOVE.public is False
    assert comment_is_public(visibility_of("auto_close"), SYSTEM) is True


@pytest.mark.parametrize(("engineer", "ticket", "allowed"), [
    (Line.L1, Line.L1, True), (Line.L2, Line.L2, True), (Line.L3, Line.L3, True),
    (Line.L1, Line.L2, False), (Line.L2, Line.L1, False), (Line.L2, Line.L3, False),
    (Line.L3, Line.EXTERNAL, True), (Line.L2, Line.EXTERNAL, False),
    (None, Line.L1, False), (None, Line.L2, False),
])
def test_who_works_on_which_line(engineer: Line | None, ticket: Line, allowed: bool) -> None:
    assert works_on(engineer, ticket) is allowed


def test_refusals_say_why() -> None:
    with pytest.raises(InvalidAssignee) as wrong_line:
        check_assignee(Line.L1, Line.L2)
    assert (wrong_line.value.code, wrong_line.value.field) == ("assignee_wrong_line",
                                                               "engineer_id")
    assert wrong_line.value.params == {"role": "L1", "line": "L2"}
    with pytest.raises(InvalidAssignee) as manager:
        check_assignee(None, Line.L2)
    assert manager.value.code == "assignee_is_manager"
    with pytest.raises(NotOnTheLine) as actor:
        check_actor(Line.L1, Line.L2)
    assert actor.value.code == "engineer_wrong_line"
    check_assignee(Line.L2, Line.L2)
    check_actor(Line.L3, Line.EXTERNAL)


@pytest.fixture(scope="module")
def config() -> SupportConfig:
    return load_support_config()


def test_a_service_goes_to_its_group_when_the_configuration_agrees(
    config: SupportConfig,
) -> None:
    routed = route(config.groups, service="billing", group="account-management", line=Line.L1)
    assert (routed.line, routed.group, routed.note) == (Line.L1, "account-management", None)


def test_an_unknown_group_falls_back_to_the_service_desk_with_a_note(
    config: SupportConfig,
) -> None:
    routed = route(config.groups, service="billing", group="finance", line=Line.L2)
    assert (routed.line, routed.group) == (Line.L1, "service-desk")
    assert routed.note is not None and "'finance'" in routed.note and "billing" in routed.note


def test_a_wrong_line_follows_the_groups_own_line(config: SupportConfig) -> None:
    routed = route(config.groups, service="compute", group="l2-linux", line=Line.L1)
    assert (routed.line, routed.group) == (Line.L2, "l2-linux")
    assert routed.note is not None and "L1" in routed.note and "L2" in routed.note
    fallback = unsynced(config.groups, service="compute", group="l2-linux")
    assert fallback.group == "service-desk" and "db upgrade" in (fallback.note or "")


@pytest.mark.parametrize(("engineer", "ticket", "allowed"), [
    (None, Line.L1, True), (None, Line.L3, True), (Line.L1, Line.L1, True),
    (Line.L2, Line.L1, True), (Line.L2, Line.L2, True), (Line.L3, Line.L1, False),
    (Line.L1, Line.L2, False), (Line.L2, Line.L3, False),
])
def test_who_may_reprioritise(engineer: Line | None, ticket: Line, allowed: bool) -> None:
    """Managers, the line's engineers, and L2 on the L1 queue it watches (the seed's desk)."""
    try:
        staffing.check_reprioritiser(engineer, ticket)
    except NotOnTheLine:
        assert not allowed
    else:
        assert allowed
