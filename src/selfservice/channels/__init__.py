"""Intake channels other than the portal: e-mail and monitoring alerts, plus the free-text
classifier shared by every channel.

Everything here is pure: bytes or dicts in, typed values out, no database, network or
clock. The use cases in ``selfservice.services`` wire these to storage and endpoints.

* ``mail_parse``: raw RFC 5322 bytes -> :class:`~selfservice.channels.mail_parse.InboundMail`
  (helped by ``mail_text``: charsets, HTML to text; ``mail_attachments``: size limits)
* ``mail_kind``: is it a human message, a bounce, an auto-reply, a read receipt or a
  complaint? And the ticket number in a subject.
* ``mail_reply``: the new text of a reply, without the quoted message
* ``alerts``: Alertmanager / Grafana / Zabbix webhook bodies -> ``AlertEvent`` values
* ``alert_mapping``: configurable rules deciding service, impact and urgency of an alert
  (``alert_rules`` the rules, ``alert_schema`` the pydantic models that read them)
* ``classify``: incident or request, and which service, from free text
* ``urgency``: the urgency a customer's words ask for ("срочно", "production down" …)
* ``mail_answers``: the e-mail intake's automatic answers, in English and Russian
"""
