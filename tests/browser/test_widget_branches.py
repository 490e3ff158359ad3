"""A branching scripted solution in the widget: Yes / No lead where the script says."""

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from widget_page import Widget, conversation, expect

pytestmark = pytest.mark.browser


def test_the_answers_of_a_branching_step_jump_and_end_in_a_prefilled_form(
    widget: Widget, db: Engine, shot: Callable[[str], None]
) -> None:
    widget.goto_demo()
    widget.open()
    composer = widget.ui.locator(".composer input")
    composer.fill("vpn is connected but i cannot reach the server")
    composer.press("Enter")
    widget.ui.locator(".log [data-article='vpn-no-internal-access-en']").click()

    step = widget.ui.locator(".step").last
    expect(step.locator(".step-count")).to_have_text("Step 1 of 5")
    expect(step.locator(".question")).to_have_text(
        "Does the VPN interface have an address from the VPN pool?"
    )
    answers = step.locator(".actions button")
    expect(answers).to_have_text(["Yes", "No", "I still need help"])
    shot("branching-step")
    answers.first.click()  # Yes: the routes
    expect(widget.ui.locator(".step").last.locator(".step-count")).to_have_text("Step 2 of 5")
    widget.ui.locator("[data-action='yes']:not([disabled])").click()  # traffic goes in
    expect(widget.ui.locator(".step").last.locator(".step-count")).to_have_text("Step 3 of 5")
    widget.ui.locator("[data-action='no']:not([disabled])").click()  # not by IP either
    last = widget.ui.locator(".step").last  # step 4 (DNS) is skipped: the server's firewall
    expect(last.locator(".step-count")).to_have_text("Step 5 of 5")
    expect(last.locator(".actions button")).to_have_text(["Yes", "No", "I still need help"])
    expect(widget.ui.locator(".log .entry.user").last).to_have_text("You: No")
    last.locator("[data-action='no']").click()

    form = widget.ui.locator(".form-view form")
    expect(form.locator("[data-field='action'] select")).to_have_value("allow")
    expect(form.locator("[data-field='direction'] select")).to_have_value("inbound")
    shot("branch-form")
    row = conversation(db, widget.conversation_id())
    assert row.state["form"] == "firewall-rule-change"
    assert row.state["tried"][-1]["answers"] == [
        "vpn-address: yes", "routes: yes", "test-by-ip: no", "server-firewall: no",
    ]


def test_russian_answers_are_labelled_in_russian(widget: Widget) -> None:
    widget.goto_demo("?lang=ru")
    widget.open()
    widget.app("app.chat.act('open_article', {article: 'vm-no-internet-ru'}, 'ВМ')")
    step = widget.ui.locator(".step").last
    expect(step.locator(".actions button")).to_have_text(
        ["Да", "Нет", "Мне всё ещё нужна помощь"]
    )
