"""Where attachment bytes live, the optional virus scan, and how a file is served.

* :class:`Storage`: in the database (``data``) by default, or in a folder: each file is
  written to a temporary name, flushed to disk (``fsync``), renamed into place and the
  folder flushed, all before the row that points to it commits.
* :class:`Scanner`: a command (``clamdscan --no-summary -``) that reads the bytes on its
  standard input; exit 0 passes, anything else refuses the file. A scanner that cannot be
  run or does not answer in time refuses too (a file is never let through unscanned).
* :func:`served_type`: the Content-Type a download is sent with, from the file's name
  (never ``text/html`` or ``image/svg+xml``: nothing a browser would render as a page).
"""

import logging
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from selfservice.channels.mail_attachments import extension_of
from selfservice.config.settings import Settings

log = logging.getLogger("selfservice.attachments")

#: Seconds a scanner may take for one file.
SCAN_TIMEOUT = 120.0

_SERVED = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".txt": "text/plain; charset=utf-8",
    ".log": "text/plain; charset=utf-8", ".csv": "text/plain; charset=utf-8",
    ".pdf": "application/pdf", ".zip": "application/zip", ".json": "application/json",
}


def served_type(filename: str) -> str:
    """The type a download is served as; anything unknown is plain bytes."""
    return _SERVED.get(extension_of(filename), "application/octet-stream")


class ScanError(Exception):
    """The scanner could not be run or gave no answer in time."""


@dataclass(frozen=True)
class Scanner:
    command: tuple[str, ...]
    timeout: float = SCAN_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Settings) -> "Scanner | None":
        words = shlex.split(settings.attachment_scan_command)
        return cls(tuple(words)) if words else None

    def clean(self, data: bytes) -> bool:
        """True when the scanner exits 0 on ``data``; :class:`ScanError` when it cannot run."""
        try:
            done = subprocess.run(
                self.command, input=data, capture_output=True, timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            log.error("attachment scanner %r failed: %s", self.command[0], error)
            raise ScanError(str(error)) from None
        if done.returncode != 0:
            log.warning("attachment scanner refused a file (exit %s): %s", done.returncode,
                        done.stdout[-500:].decode("utf-8", "replace").strip())
        return done.returncode == 0


@dataclass(frozen=True)
class Storage:
    """Attachment bytes in the database (``folder`` None) or in ``folder``."""

    folder: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Storage":
        return cls(settings.attachment_dir)

    def put(self, token: str, data: bytes) -> tuple[bytes | None, str | None]:
        """``(data, stored_as)`` for the row: the bytes themselves, or the durable file's path."""
        if self.folder is None:
            return data, None
        relative = f"{token[:2]}/{token}"
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return None, relative

    def get(self, data: bytes | None, stored_as: str | None) -> bytes:
        if data is not None:
            return data
        if self.folder is None or stored_as is None:
            raise FileNotFoundError("attachment content is not stored")
        return (self.folder / stored_as).read_bytes()

    def discard(self, stored_as: str | None) -> None:
        """Remove a file whose row did not commit."""
        if self.folder is not None and stored_as is not None:
            (self.folder / stored_as).unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
