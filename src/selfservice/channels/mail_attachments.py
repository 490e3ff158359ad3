"""Attachments of an inbound e-mail and the limits that decide which are accepted.

An attachment past a limit is kept as metadata (name, type, size) without its content,
with a :class:`Rejection` saying why in English and Russian, ready for the reply to the
sender and for the ticket history.
"""

from dataclasses import dataclass, field

__all__ = ["Attachment", "MailLimits", "RawAttachment", "Rejection", "apply_limits",
           "attachment_notes"]


@dataclass(frozen=True)
class MailLimits:
    """Attachment limits; past them an attachment is kept as metadata with a rejection."""

    max_attachment_bytes: int = 10 * 1024 * 1024
    max_total_bytes: int = 25 * 1024 * 1024
    max_attachments: int = 20


@dataclass(frozen=True)
class Rejection:
    """Why an attachment was not accepted, ready to show to the sender in both languages."""

    code: str  # too_large | total_too_large | too_many
    en: str
    ru: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes = field(repr=False, default=b"")
    """The decoded content; empty when the attachment was rejected."""
    inline: bool = False
    content_id: str | None = None
    rejection: Rejection | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection is None


@dataclass
class RawAttachment:
    """An attachment as found in the message, before the limits are applied."""

    filename: str
    content_type: str
    data: bytes
    inline: bool
    content_id: str | None
    charset: str | None


def _size(n: int, *, ru: bool = False) -> str:
    if n < 1024:
        return f"{n} {'байт' if ru else 'bytes'}"
    if n >= 1024 * 1024:
        value, unit = n / (1024 * 1024), "МБ" if ru else "MB"
    else:
        value, unit = n / 1024, "КБ" if ru else "KB"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text.replace('.', ',') if ru else text} {unit}"


def apply_limits(raw: list[RawAttachment], limits: MailLimits) -> tuple[Attachment, ...]:
    """Attachments in order; those past a limit carry a rejection and no data."""
    out: list[Attachment] = []
    total = 0
    for i, item in enumerate(raw):
        size = len(item.data)
        name = item.filename
        rejection: Rejection | None = None
        if i >= limits.max_attachments:
            rejection = Rejection(
                "too_many",
                f'The attachment "{name}" was not added: at most {limits.max_attachments} '
                "attachments are accepted per message.",
                f"Вложение «{name}» не добавлено: в одном письме принимается не более "
                f"{limits.max_attachments} вложений.",
            )
        elif size > limits.max_attachment_bytes:
            cap = limits.max_attachment_bytes
            rejection = Rejection(
                "too_large",
                f'The attachment "{name}" ({_size(size)}) was not added: it is larger than '
                f"the {_size(cap)} limit per file.",
                f"Вложение «{name}» ({_size(size, ru=True)}) не добавлено: оно больше "
                f"допустимых {_size(cap, ru=True)} на файл.",
            )
        elif total + size > limits.max_total_bytes:
            cap = limits.max_total_bytes
            rejection = Rejection(
                "total_too_large",
                f'The attachment "{name}" ({_size(size)}) was not added: the attachments of '
                f"one message may not exceed {_size(cap)} in total.",
                f"Вложение «{name}» ({_size(size, ru=True)}) не добавлено: общий размер "
                f"вложений одного письма не может превышать {_size(cap, ru=True)}.",
            )
        if rejection is None:
            total += size
        out.append(
            Attachment(
                filename=name,
                content_type=item.content_type,
                size=size,
                data=b"" if rejection else item.data,
                inline=item.inline,
                content_id=item.content_id,
                rejection=rejection,
            )
        )
    return tuple(out)


def attachment_notes(attachments: tuple[Attachment, ...]) -> list[str]:
    """Lines for the ticket or comment: what was attached, and what was not (and why)."""
    notes: list[str] = []
    kept = [a for a in attachments if a.accepted]
    if kept:
        notes.append("Attachments: " + ", ".join(f"{a.filename} ({_size(a.size)})"
                                              for a in kept))
    notes.extend(f"Not added: {a.rejection.en}" for a in attachments if a.rejection)
    return notes
