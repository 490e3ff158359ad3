"""The knowledge base a running process serves, following the published generation.

``selfservice kb publish`` checks kb/ and writes a new index generation that carries a
copy of the checked kb/ (``gen-<id>/kb/``) and, when the service serves the site, the
built site (``gen-<id>/site/``); then it swaps the ``CURRENT`` pointer. Every process of
the service holds a :class:`LiveContent`: a background thread looks at the pointer once
a ``interval`` and, when it names another generation, loads that generation's kb/ copy
and swaps it in whole. Requests read :attr:`LiveContent.content` (one attribute read),
so a request sees either the old knowledge base or the new one, never half of each.

A generation without a kb/ copy (built by ``selfservice index``) is loaded from the
authored kb/ folder instead; if that does not load, the process keeps what it had.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from selfservice.content.loader import ContentError, load_content
from selfservice.content.model import Content
from selfservice.domain.enums import Line

#: The kb/ copy inside a generation directory.
KB_SNAPSHOT = "kb"
#: The built site inside a generation directory.
SITE_SNAPSHOT = "site"
#: The index's pointer to its live generation (see ``search/generations.py``).
POINTER = "CURRENT"

log = logging.getLogger("selfservice.content")


def live_generation(index_dir: Path) -> Path | None:
    """The directory of the generation ``CURRENT`` names, or None."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return index_dir / name if name else None


def _files(folder: Path) -> list[Path]:
    """The files of a kb/ folder that belong to the knowledge base (no hidden files,
    no editor backups)."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not p.name.endswith("~")
    )


def tree_digest(folder: Path) -> str:
    """A digest of every file's relative path and bytes: equal digests, equal kb/."""
    digest = hashlib.sha256()
    if not folder.is_dir():
        return ""
    for path in _files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def snapshot_kb(kb_dir: Path, gen_dir: Path) -> None:
    """Copy kb/ into the generation directory."""
    target = gen_dir / KB_SNAPSHOT
    for path in _files(kb_dir):
        dest = target / path.relative_to(kb_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)


class LiveContent:
    """The knowledge base of the live generation, reloaded when the generation changes.

    ``on_change(content)`` callbacks run on the watcher thread after a swap (the server
    rebuilds its ticket classifier there).
    """

    def __init__(
        self,
        index_dir: Path,
        kb_dir: Path,
        *,
        groups: Mapping[str, Line] | None = None,
        interval: float = 1.0,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.kb_dir = Path(kb_dir)
        self.groups = groups
        self.interval = interval
        self.on_change: list[Callable[[Content], None]] = []
        self._generation = live_generation(self.index_dir)
        self.content = load_content(self._source(self._generation), groups=groups)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._start_lock = threading.Lock()

    @property
    def generation(self) -> str | None:
        """The name of the generation whose knowledge base is served."""
        return self._generation.name if self._generation is not None else None

    @property
    def site_dir(self) -> Path | None:
        """The built site published with the live generation, if it has one."""
        gen = self._generation
        if gen is not None and (gen / SITE_SNAPSHOT / "index.html").is_file():
            return gen / SITE_SNAPSHOT
        return None

    def _source(self, gen: Path | None) -> Path:
        if gen is not None and (gen / KB_SNAPSHOT).is_dir():
            return gen / KB_SNAPSHOT
        return self.kb_dir

    def refresh(self) -> bool:
        """Load the live generation's knowledge base if it changed; True when swapped.

        A knowledge base that does not load (a generation removed under us, an authored
        kb/ with problems) leaves the current one in place; the next look tries again.
        """
        gen = live_generation(self.index_dir)
        if gen == self._generation:
            return False
        try:
            content = load_content(self._source(gen), groups=self.groups)
        except (ContentError, OSError) as exc:
            log.warning("knowledge base of %s not loaded, keeping %s: %s",
                        gen, self.generation, str(exc).splitlines()[0])
            return False
        self.content, self._generation = content, gen
        log.info("knowledge base: now serving %s", self.generation)
        for callback in self.on_change:
            try:
                callback(content)
            except Exception:
                log.exception("knowledge base: a reload callback failed")
        return True

    def follow(self) -> None:
        """Start the watcher thread (once; call it in the process that serves)."""
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kb-live", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:  # the watcher never dies; the next look tries again
                log.exception("knowledge base: refresh failed")

    def close(self) -> None:
        self._stop.set()
