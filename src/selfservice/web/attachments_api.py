"""Attachments: a contact uploads a file, names it in a new ticket or a reply, and the
ticket's contacts and engineers download it.

The upload's body is the file itself (any ``Content-Type``; the name in ``?name=``), up
to the per-file limit (``BodyLimitMiddleware`` lets this path's body be that large).
Downloads are always ``Content-Disposition: attachment`` with ``nosniff`` and a type from
the file's name (never HTML or SVG), so nothing a customer sent is rendered as a page.
"""

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from selfservice.services import attachments
from selfservice.services.attachment_storage import ScanError
from selfservice.services.attachments import Listed, Policy
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.schemas.requests import UploadQuery
from selfservice.web.urls import API_PREFIX

UPLOAD_PATH = f"{API_PREFIX}/attachments"


def policy_of(call: Call[Any, Any]) -> Policy:
    return Policy.from_settings(call.state["settings"])


def attachment_json(item: Listed, ticket_url: str) -> dict[str, Any]:
    return {
        "id": item.id, "name": item.name, "size": item.size, "content_type": item.content_type,
        "source": item.source, "comment": item.comment_id, "at": item.at.isoformat(),
        "url": f"{ticket_url}/attachments/{quote(item.id, safe='')}",
    }


async def upload(call: Call[None, UploadQuery]) -> dict[str, Any]:
    """Upload a file to attach to a new ticket or a reply

    The body is the file's bytes; `name` is its file name, `Content-Type` its type.
    The answer's `id` goes into `attachments` of `POST /tickets` or of a comment.
    Limits (size per file, in total, count, allowed types) are those of `GET /me`;
    a file past one is refused naming the reason (413 too large, 415 type not allowed,
    422 refused by the virus scanner). The file is stored when the answer comes.
    """
    data = await call.request.body()
    try:
        row = await call.run(
            attachments.upload, policy=policy_of(call), contact_id=call.contact_id,
            filename=call.query.name,
            content_type=call.request.headers.get("content-type", ""), data=data,
            now=call.now(),
        )
    except ScanError:
        raise ApiError(503, "attachment_scan_unavailable", field="file") from None
    return {"id": row.token, "name": row.filename, "size": row.size,
            "content_type": row.content_type}


def file_response(found: attachments.Download) -> Response:
    """The file as a download, never rendered as a page (API and console alike)."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                         for c in found.name)
    encoded = quote(found.name, safe="")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
    return Response(found.data, media_type=found.content_type, headers={
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    })


async def download(call: Call[None, None]) -> Response:
    """Download an attachment of one of the organisation's tickets

    Always as a download (`Content-Disposition: attachment`), never shown as a page.
    """
    found = await call.run(
        attachments.for_contact, number=call.path("number"), attachment_id=call.path("id"),
        contact_id=call.contact_id, storage=policy_of(call).storage,
    )
    return file_response(found)


async def engineer_download(call: Call[None, None]) -> Response:
    """Download an attachment of a ticket (uploads and e-mail attachments)"""
    found = await call.run(
        attachments.for_engineer, number=call.path("number"), attachment_id=call.path("id"),
        engineer_id=call.staff.id, storage=policy_of(call).storage,
    )
    return file_response(found)
