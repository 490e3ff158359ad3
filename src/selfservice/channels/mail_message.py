"""The parsed view of one e-mail (:class:`InboundMail`) that the rest of the code uses."""

from dataclasses import dataclass
from datetime import datetime

from selfservice.channels.mail_attachments import Attachment
from selfservice.domain.enums import Language


@dataclass(frozen=True)
class MailAddress:
    address: str
    """The address, lowercased (``user@example.com``)."""
    name: str | None = None
    """The display name, decoded; None when the header has none."""


@dataclass(frozen=True)
class InboundMail:
    message_id: str | None
    """Without angle brackets."""
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None
    from_name: str | None
    to: tuple[MailAddress, ...]
    cc: tuple[MailAddress, ...]
    reply_to: tuple[MailAddress, ...]
    subject: str
    date: datetime | None
    body: str
    """The readable text of the whole message (quotes included)."""
    body_source: str
    """Where the body came from: ``text/plain``, ``text/html``, ``attachment`` or ``""``."""
    reply_text: str
    """The new text only: quoted earlier messages and signatures removed."""
    attachments: tuple[Attachment, ...]
    lang: Language
    cyrillic_share: float
    headers: tuple[tuple[str, str], ...]
    """Top-level headers in order, values decoded and unfolded."""
    part_types: tuple[str, ...]
    """Every MIME type in the message, in order (enclosed messages included)."""
    report_type: str | None
    """``report-type`` of a top-level ``multipart/report`` (``delivery-status`` …)."""
    defects: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        values = self.header_all(name)
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        key = name.lower()
        return [value for hname, value in self.headers if hname.lower() == key]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message ids this message answers, nearest first (In-Reply-To, then References
        from the newest), for finding the ticket a reply belongs to."""
        ids: list[str] = []
        for mid in ([self.in_reply_to] if self.in_reply_to else []) + list(
            reversed(self.references)
        ):
            if mid not in ids:
                ids.append(mid)
        return tuple(ids)

    @property
    def rejected_attachments(self) -> tuple[Attachment, ...]:
        return tuple(a for a in self.attachments if not a.accepted)
