"""Index generations on disk: the ``CURRENT`` pointer, full rebuilds, incremental syncs
and the vectors published next to each generation.

Layout of ``index_dir``::

    index_dir/CURRENT            name of the live generation (replaced atomically)
    index_dir/gen-<id>/          one complete whoosh index + META.json

* **Rebuild** writes a whole new generation next to the live one and then swaps
  ``CURRENT`` with ``os.replace``: readers (in this process or another one, such as the
  web server while ``selfservice index`` runs) keep answering from the old generation
  until they notice the new pointer, and never see a half-written index.
* **Sync** updates the live generation in place with whoosh's atomic commits, rewriting
  only the documents whose content hash changed.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from selfservice.content.model import Content
from selfservice.search import schema
from selfservice.search import vectors as vector_store
from selfservice.search.documents import SearchDoc, docs_from_content, unique
from selfservice.text.encoder import LANGS as SEMANTIC_LANGS
from selfservice.text.encoder import Encoder, shared_encoder

__all__ = ["Generations", "Progress", "SyncReport"]

_POINTER = "CURRENT"
_META = "META.json"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SyncReport:
    """Document keys added, updated (content changed) and removed by :meth:`SearchIndex.sync`."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def written(self) -> int:
        """Documents written to the index (unchanged ones are never rewritten)."""
        return len(self.added) + len(self.updated)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def _as_docs(source: Content | Iterable[SearchDoc]) -> dict[str, SearchDoc]:
    if isinstance(source, Content):
        return unique(docs_from_content(source))
    return unique(source)


class Generations:
    """The generations of one index directory and the whoosh index of the live one.

    Writes (sync, rebuild) should come from one place at a time (a second concurrent
    writer gets whoosh's ``LockError``).
    """

    def __init__(self, root: Path, *, semantic: bool = True) -> None:
        """``semantic=False`` ranks by words only (no model is loaded)."""
        self.root = Path(root)
        self.semantic = semantic
        self._encoder: Encoder | None = None
        self._lock = threading.RLock()
        self._ix: Any = None
        self._gen: str | None = None
        self._pointer_stat: tuple[int, int, int] | None = None
        self._version = 0

    def _read_pointer(self) -> str | None:
        try:
            name = (self.root / _POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def _stat_pointer(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.root / _POINTER)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open_current(self) -> bool:
        """Open the generation CURRENT names; False if there is no usable one."""
        with self._lock:
            stat = self._stat_pointer()
            name = self._read_pointer()
            if name is None:
                return False
            gen_dir = self.root / name
            try:
                meta = json.loads((gen_dir / _META).read_text(encoding="utf-8"))
                if meta.get("fingerprint") != schema.fingerprint():
                    return False
                ix = whoosh_index.open_dir(str(gen_dir))
            except Exception:  # any unreadable index is simply rebuilt
                return False
            old = self._ix
            self._ix, self._gen, self._pointer_stat = ix, name, stat
            self._version += 1
            if old is not None:
                old.close()
            return True

    def rebuild(
        self,
        content: Content | Iterable[SearchDoc],
        progress: Progress | None = None,
        *,
        vectors: bool = True,
        attach: Callable[[Path], None] | None = None,
    ) -> int:
        """Build a fresh generation from ``content`` and swap it in atomically.

        ``attach(gen_dir)`` adds files that must go live together with the index (the
        published kb/ snapshot, the built site) before the pointer is swapped; when it
        raises, the generation is dropped and the live one stays.

        ``progress(done, total)`` is called as documents are added and then as their
        vectors are computed (vectors of unchanged documents are reused from the live
        generation). With ``vectors=False`` the generation goes live with words only and
        :meth:`update_vectors` adds the meaning signal later. Returns the number of
        documents indexed.
        """
        docs = _as_docs(content)
        hashes = {k: d.content_hash() for k, d in docs.items()}
        with_vectors = vectors and self.semantic
        n_vec = sum(1 for d in docs.values() if d.lang in SEMANTIC_LANGS) if with_vectors else 0
        grand = len(docs) + n_vec
        previous = self._live_vectors() if with_vectors else None
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns():x}-{os.getpid()}"
        gen_dir = self.root / name
        gen_dir.mkdir()
        try:
            ix = whoosh_index.create_in(str(gen_dir), schema.make_schema())
            writer = ix.writer(**schema.writer_options(len(docs)))
            total = len(docs)
            try:
                for n, doc in enumerate(docs.values(), 1):
                    writer.add_document(**schema.index_fields(doc, hashes[doc.key]))
                    if progress is not None and (n % 50 == 0 or n == total):
                        progress(n, grand)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            ix.close()
            if with_vectors:
                step = (lambda d, _t: progress(total + d, grand)) if progress else None
                vs = vector_store.update(self._get_encoder(), docs, hashes, previous, step)
                vector_store.save(gen_dir, vs)
            if attach is not None:
                attach(gen_dir)
            (gen_dir / _META).write_text(
                json.dumps({"fingerprint": schema.fingerprint(), "documents": total}),
                encoding="utf-8",
            )
            tmp = self.root / f"{_POINTER}.{name}.tmp"
            tmp.write_text(name + "\n", encoding="utf-8")
            os.replace(tmp, self.root / _POINTER)
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
        if progress is not None and not docs:
            progress(0, 0)
        self._open_current()
        self._cleanup(keep={name})
        return len(docs)

    def _cleanup(self, keep: set[str]) -> None:
        """Remove generations older than the live one and the one before it.

        The previous generation stays so that a reader that opened it just before the
        swap finishes its work; on the next rebuild it goes.
        """
        gens = sorted(
            (p for p in self.root.glob("gen-*") if p.is_dir()),
            key=lambda p: p.stat().st_mtime_ns,
        )
        survivors = [g for g in gens if g.name not in keep][-1:]
        for g in gens:
            if g.name in keep or g in survivors:
                continue
            shutil.rmtree(g, ignore_errors=True)

    def sync(self, content: Content | Iterable[SearchDoc]) -> SyncReport:
        """Bring the live index in line with ``content``, rewriting only what changed."""
        docs = _as_docs(content)
        with self._lock:
            if self._ix is None and not self._open_current():
                self.rebuild(docs.values())
                return SyncReport(added=tuple(sorted(docs)))
            ix = self._ix
            stored: dict[str, str] = {}
            with ix.searcher() as s:
                for fields in s.all_stored_fields():
                    stored[fields["key"]] = fields.get("hash", "")
            hashes = {k: d.content_hash() for k, d in docs.items()}
            added = sorted(k for k in docs if k not in stored)
            updated = sorted(k for k in docs if k in stored and stored[k] != hashes[k])
            removed = sorted(k for k in stored if k not in docs)
            report = SyncReport(tuple(added), tuple(updated), tuple(removed))
            if report.changed:
                writer = ix.writer(timeout=30.0)
                try:
                    for k in removed:
                        writer.delete_by_term("key", k)
                    for k in added:
                        writer.add_document(**schema.index_fields(docs[k], hashes[k]))
                    for k in updated:
                        writer.update_document(**schema.index_fields(docs[k], hashes[k]))
                    writer.commit()
                except BaseException:
                    writer.cancel()
                    raise
                self._version += 1
        self._publish_vectors(docs, hashes)
        return report

    def update_vectors(
        self, content: Content | Iterable[SearchDoc], progress: Progress | None = None
    ) -> int:
        """Compute the vectors the live generation lacks for ``content`` and publish them.

        Rebuild and sync do this themselves; call it after ``rebuild(vectors=False)``.
        Returns the number of documents with a vector.
        """
        docs = _as_docs(content)
        return self._publish_vectors(docs, {k: d.content_hash() for k, d in docs.items()}, progress)

    def _publish_vectors(
        self,
        docs: dict[str, SearchDoc],
        hashes: dict[str, str],
        progress: Progress | None = None,
    ) -> int:
        if not self.semantic:
            return 0
        with self._lock:
            gen = self._gen
        if gen is None:
            raise FileNotFoundError(f"no search index in {self.root}")
        previous = vector_store.load(self.root / gen)
        vs = vector_store.update(self._get_encoder(), docs, hashes, previous, progress)
        if previous is None or vs.keys != previous.keys or vs.hashes != previous.hashes:
            vector_store.save(self.root / gen, vs)
        return len(set(vs.keys))

    def _get_encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    def _live_vectors(self) -> vector_store.VectorSet | None:
        with self._lock:
            gen = self._gen if self._ix is not None else self._read_pointer()
        return vector_store.load(self.root / gen) if gen else None

    def close(self) -> None:
        with self._lock:
            if self._ix is not None:
                self._ix.close()
                self._ix = None

    @property
    def generation(self) -> str | None:
        """Name of the generation this process reads from."""
        return self._gen

    def _vectors_stat(self) -> tuple[int, int] | None:
        gen = self._gen
        if gen is None:
            return None
        try:
            st = os.stat(self.root / gen / vector_store.FILE)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)
