"""How well content gaps group paraphrases: the meaning threshold, measured.

Real customer questions with the article that answers them stand in for unanswered
searches: questions answered by the same article are re-wordings of one problem and
should share a group; questions answered by different articles should not. For each
threshold the greedy grouping of ``selfservice.text.grouping`` is scored by pair
precision (pairs grouped together that belong together), pair recall (pairs that belong
together and were grouped together) and the number of groups against the true number.

    python bench/gap_bench.py ../shared/eval/stackfaq-en ../shared/eval/rutube-ru
"""

import itertools
import json
import sys
from pathlib import Path

from selfservice.text.encoder import shared_encoder
from selfservice.text.grouping import by_meaning, by_words

THRESHOLDS = (0.86, 0.88, 0.89, 0.90, 0.91, 0.92)


def load(folder: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("gold"):
            texts.append(row["query"])
            labels.append(sorted(row["gold"])[0])
    return texts, labels


def score(groups: list[list[int]], labels: list[str]) -> tuple[float, float]:
    together = {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}
    truth = {
        frozenset((i, j))
        for i, j in itertools.combinations(range(len(labels)), 2) if labels[i] == labels[j]
    }
    right = len(together & truth)
    return right / max(len(together), 1), right / max(len(truth), 1)


def main(folders: list[str]) -> None:
    encoder = shared_encoder()
    for folder in map(Path, folders):
        texts, labels = load(folder)
        vectors = encoder.documents(texts, as_query=True)
        counts = [1] * len(texts)
        print(f"{folder.name}: {len(texts)} questions, {len(set(labels))} problems")
        for threshold in THRESHOLDS:
            groups = by_meaning(texts, counts, vectors, threshold)
            precision, recall = score(groups, labels)
            print(f"  meaning {threshold:.2f}: pair precision {precision:.2f} "
                  f"recall {recall:.2f} groups {len(groups)}")
        groups = by_words(texts, counts)
        precision, recall = score(groups, labels)
        print(f"  words   0.50: pair precision {precision:.2f} recall {recall:.2f} "
              f"groups {len(groups)}")


if __name__ == "__main__":
    main(sys.argv[1:])
