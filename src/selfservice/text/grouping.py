"""Grouping customers' phrasings of one problem: by meaning, or by their words.

Both groupings are greedy and deterministic: the phrasings are taken most frequent first
(ties by text), and each joins the group it is nearest to when that is near enough, else
it leads a new group. The leader of a group is therefore its most frequent phrasing,
which gives the group an identifier that stays the same from one run to the next while
that phrasing stays the most asked (:func:`group_id`).

By meaning, "near" is the average cosine of the phrasing's e5 vector (encoded on the query
side, like with like) to the vectors of the group's members. e5's similarities crowd
into a narrow band (unrelated questions still score 0.75-0.83), so the bar sits high:
:data:`MEANING_THRESHOLD` was chosen on real paraphrase sets (``bench/gap_bench.py``).

By words (the meaning model switched off), "near" is the Jaccard overlap of the
phrasings' word keys (stemmed or lemmatised, stop words and question boilerplate
dropped) with the leader's.
"""

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from selfservice.text.words import fold, query_keys

#: Average cosine to a group's members at which a phrasing joins it. Measured with
#: ``bench/gap_bench.py`` (questions answered by one article = one problem): at 0.90 pair
#: precision / recall 0.88 / 0.73 on stackfaq-en, 0.43 / 0.32 on rutube-ru's real, noisy
#: questions; 0.88 mixes problems (0.56 / 0.19 precision), 0.92 splits one problem into
#: many groups (recall 0.47 / 0.20). Authors are misled more by a mixed group than by
#: two groups of one problem, so the bar leans to precision.
MEANING_THRESHOLD = 0.90
#: Share of word keys in common with the leader for a phrasing to join its group.
WORDS_THRESHOLD = 0.5

Groups = list[list[int]]


def normal_text(text: str) -> str:
    """One spelling per phrasing: case, spaces and look-alike letters folded."""
    return " ".join(fold(text).lower().split())


def group_id(leader: str) -> str:
    """A short identifier of a group, derived from its leading phrasing."""
    digest = hashlib.blake2b(normal_text(leader).encode("utf-8"), digest_size=4).hexdigest()
    return f"g{digest}"


def _order(texts: Sequence[str], counts: Sequence[int]) -> list[int]:
    return sorted(range(len(texts)), key=lambda i: (-counts[i], normal_text(texts[i])))


def by_meaning(
    texts: Sequence[str], counts: Sequence[int], vectors: npt.NDArray[np.float32],
    threshold: float = MEANING_THRESHOLD,
) -> Groups:
    """Indexes of ``texts`` in groups, biggest leaders first; ``vectors`` are unit rows.

    A phrasing joins the group whose members it is nearest to on average (average
    linkage), not the group's normalised mean: the mean of many phrasings drifts towards
    "a question about anything" and then swallows unrelated ones (measured: on
    stackfaq-en at 0.90 pair precision 0.36 against the members' average 0.88).
    """
    groups: Groups = []
    width = vectors.shape[1] if vectors.ndim == 2 else 0
    sums = np.zeros((0, width), dtype=np.float32)
    sizes = np.zeros(0, dtype=np.float32)
    for i in _order(texts, counts):
        vector = vectors[i]
        if groups:
            near = (sums @ vector) / sizes
            best = int(np.argmax(near))
            if float(near[best]) >= threshold:
                groups[best].append(i)
                sums[best] += vector
                sizes[best] += 1
                continue
        groups.append([i])
        sums = np.vstack([sums, vector[None, :]])
        sizes = np.append(sizes, np.float32(1))
    return groups


def by_words(
    texts: Sequence[str], counts: Sequence[int], threshold: float = WORDS_THRESHOLD,
    keys_of: Callable[[str], frozenset[str]] | None = None,
) -> Groups:
    """Indexes of ``texts`` in groups by the overlap of their word keys with the leader's."""
    keys_of = keys_of or word_keys
    groups: Groups = []
    leaders: list[frozenset[str]] = []
    for i in _order(texts, counts):
        keys = keys_of(texts[i])
        best, best_share = -1, 0.0
        for g, leader in enumerate(leaders):
            union = keys | leader
            share = len(keys & leader) / len(union) if union else 1.0
            if share > best_share:
                best, best_share = g, share
        if best >= 0 and best_share >= threshold:
            groups[best].append(i)
        else:
            groups.append([i])
            leaders.append(keys)
    return groups


def word_keys(text: str) -> frozenset[str]:
    """The topic words of a phrasing, each as its search key (stem or lemma)."""
    keys = frozenset(key for _norm, key in query_keys(text))
    return keys or frozenset({normal_text(text)})
