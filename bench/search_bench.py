"""Search benchmark: build time, index size, query and as-you-type latency at 10k documents.

Generates a deterministic corpus (``--seed``; nothing is downloaded): ``--docs`` articles,
2/3 Russian and 1/3 English, about 300 body words each with 15 % of the words from the
other language, drawn from Zipf-distributed pseudo-word vocabularies that carry real
inflection endings (so the Russian lemmatizer and the English stemmer both work for a
living). The build is timed in two parts: ``build_s`` until the index answers (words),
``vectors_s`` for the meaning vectors of every document (``text/encoder.py``; until they
are there, queries are ranked by words only). Then, with one warm
SearchIndex:

* ``query``: 1,000 queries of 1-4 distinct words drawn uniformly from the words of a
  random document's title and body (5 % with a typo: two letters swapped), through
  ``SearchIndex.search`` - the full product path: ranking, confidence, snippets;
* ``suggest``: 1,000 as-you-type inputs (the first 1-3 words of a random title, the last
  one cut short) through ``SearchIndex.suggest``.

Usage::

    python bench/search_bench.py            # human-readable
    python bench/search_bench.py --json     # {"build_s", "vectors_s", "index_mb", ...}

Targets on a 2-core machine: answers by words within 60 s of a cold build, query p50 <=
12 ms and p99 <= 40 ms with the meaning signal, suggest p50 <= 2 ms, and RSS flat between
the start and the end of the query phase. The queries come one after another, so each is
encoded on both cores (``search/query_cores.py``); ``--cpu`` counts both.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from selfservice.search import SearchDoc, SearchIndex

RU_SYLLABLES = [
    "ба", "ве", "ги", "до", "жу", "за", "ки", "ло", "ма", "не", "по", "ра", "си", "то",
    "фу", "ха", "че", "ша", "ще", "лю", "ня", "ре", "ст", "пр", "кр", "тр", "ск", "ов",
]
RU_ENDINGS = [
    "ение", "ость", "ать", "ить", "ый", "ая", "ое", "ов", "ами", "ом", "ка", "ки", "ку",
    "ник", "ство", "ция", "ции", "ного", "ной", "ться", "ует", "ют", "ал", "ила", "",
]
EN_SYLLABLES = [
    "ba", "con", "de", "fi", "gra", "hel", "in", "jo", "ka", "lo", "mi", "no", "pro",
    "qua", "re", "sto", "tra", "un", "ver", "wa", "ex", "ste", "por", "ser", "vi", "lan",
]
EN_ENDINGS = ["ing", "tion", "ed", "s", "er", "ly", "ment", "able", "ness", "", "", ""]


def make_vocab(rng: random.Random, syllables: list[str], endings: list[str], n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        stem = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))
        words.add(stem + rng.choice(endings))
    out = sorted(words)
    rng.shuffle(out)
    return out


class Zipf:
    """Draw vocabulary words with a Zipf(1.1) distribution (cumulative table + bisect)."""

    def __init__(self, words: list[str], rng: random.Random) -> None:
        import bisect
        import itertools

        self.words = words
        self.rng = rng
        weights = [1.0 / (r**1.1) for r in range(1, len(words) + 1)]
        self.cum = list(itertools.accumulate(weights))
        self._bisect = bisect.bisect_left

    def draw(self) -> str:
        x = self.rng.random() * self.cum[-1]
        return self.words[min(self._bisect(self.cum, x), len(self.words) - 1)]


RU_STOPS = (
    "и в не на я что он с как а то все она так его но да ты к у же вы за бы по только ее "
    "мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть "
    "был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где "
    "есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет"
).split()
EN_STOPS = (
    "the of and to a in is it you that he was for on are with as his they be at one have "
    "this from or had by not but what some we can out other were all there when up use "
    "your how said an each she which do their if will way about many then them would"
).split()


def generate(n_docs: int, seed: int) -> list[SearchDoc]:
    rng = random.Random(seed)
    # The most frequent words are real stop words, as in real text; the rest are
    # pseudo-words with real endings.
    ru = Zipf(RU_STOPS + make_vocab(rng, RU_SYLLABLES, RU_ENDINGS, 30_000), rng)
    en = Zipf(EN_STOPS + make_vocab(rng, EN_SYLLABLES, EN_ENDINGS, 20_000), rng)
    services = [f"service-{i}" for i in range(12)]
    kinds = ["scripted-solution", "how-to", "known-error", "faq"]
    docs: list[SearchDoc] = []
    for i in range(n_docs):
        lang = "ru" if i % 3 else "en"
        main, other = (ru, en) if lang == "ru" else (en, ru)

        def words(k: int, main: Zipf = main, other: Zipf = other) -> list[str]:
            return [(other if rng.random() < 0.15 else main).draw() for _ in range(k)]

        body_words = words(rng.randint(250, 350))
        sentences = []
        for j in range(0, len(body_words), 12):
            chunk = body_words[j : j + 12]
            sentences.append(chunk[0].capitalize() + " " + " ".join(chunk[1:]) + ".")
        docs.append(
            SearchDoc(
                key=f"article:gen-{i}",
                type="article",
                ref=f"gen-{i}",
                lang=lang,
                audience="internal" if i % 10 == 0 else "public",
                kind=kinds[i % len(kinds)],
                service=services[i % len(services)],
                title=" ".join(words(rng.randint(4, 8))).capitalize(),
                summary=" ".join(words(12)).capitalize() + ".",
                symptoms="\n".join(" ".join(words(rng.randint(3, 5))) for _ in range(2)),
                tags=", ".join(words(3)),
                body=" ".join(sentences),
                path=f"articles/{services[i % len(services)]}/gen-{i}/",
            )
        )
    return docs


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def make_queries(docs: list[SearchDoc], n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed + 1)
    out: list[tuple[str, str]] = []
    for _ in range(n):
        d = rng.choice(docs)
        pool = sorted(set((d.title + " " + d.body).replace(".", " ").lower().split()))
        q = rng.sample(pool, rng.randint(1, 4))
        if rng.random() < 0.05:
            q[-1] = typo(q[-1], rng)
        out.append((" ".join(q), d.lang))
    return out


def make_prefixes(docs: list[SearchDoc], n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed + 2)
    out: list[tuple[str, str]] = []
    for _ in range(n):
        d = rng.choice(docs)
        words = d.title.lower().split()[: rng.randint(1, 3)]
        last = words[-1]
        words[-1] = last[: rng.randint(min(2, len(last)), len(last))]
        out.append((" ".join(words), d.lang))
    return out


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the parallel index writer)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--index-dir", type=Path, default=None, help="default: a temporary folder")
    ap.add_argument("--json", action="store_true", help="print only the JSON result")
    ap.add_argument(
        "--cpu",
        action="store_true",
        help="also report CPU times (build including the worker processes, per query) "
        "and the load average: on a busy machine wall times overstate the cost",
    )
    ap.add_argument(
        "--words-only",
        action="store_true",
        help="rank by words only (no meaning vectors): the cost of the meaning signal",
    )
    args = ap.parse_args(argv)

    def say(msg: str) -> None:
        if not args.json:
            print(msg, file=sys.stderr, flush=True)

    t = time.perf_counter()
    docs = generate(args.docs, args.seed)
    say(f"generated {len(docs)} documents in {time.perf_counter() - t:.1f} s")
    queries = make_queries(docs, args.queries, args.seed)
    prefixes = make_prefixes(docs, args.queries, args.seed)

    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        root = args.index_dir or Path(tmp)
        t = time.perf_counter()
        cpu0 = _cpu_s()
        # the words first (searchable from here), then the meaning vectors, timed apart
        index = SearchIndex(root, semantic=not args.words_only)
        index.rebuild(docs, vectors=False)
        build_s = time.perf_counter() - t
        build_cpu_s = _cpu_s() - cpu0
        say(f"searchable (words) in {build_s:.1f} s; computing vectors ...")
        t = time.perf_counter()
        with_vectors = index.update_vectors(docs)
        vectors_s = time.perf_counter() - t
        gen = index.generation
        index_mb = dir_mb(root / gen) if gen else dir_mb(root)
        say(
            f"built in {build_s:.1f} s + {vectors_s:.1f} s for {with_vectors} vectors, "
            f"{index_mb:.1f} MB"
        )
        del docs
        gc.collect()

        # warm-up: the searcher, caches of word forms, the filter sets
        for q, lang in queries[:100]:
            index.search(q, lang=lang)
        for p, lang in prefixes[:100]:
            index.suggest(p, lang=lang)
        rss_start = rss_mb()

        qt: list[float] = []
        qc: list[float] = []
        for q, lang in queries:
            c0 = time.process_time()
            t0 = time.perf_counter()
            index.search(q, lang=lang)
            qt.append((time.perf_counter() - t0) * 1000.0)
            qc.append((time.process_time() - c0) * 1000.0)
        st: list[float] = []
        for p, lang in prefixes:
            t0 = time.perf_counter()
            index.suggest(p, lang=lang)
            st.append((time.perf_counter() - t0) * 1000.0)
        rss_end = rss_mb()
        index.close()

    result: dict[str, float] = {
        "build_s": round(build_s, 2),
        "vectors_s": round(vectors_s, 2),
        "vector_docs": with_vectors,
        "index_mb": round(index_mb, 1),
        "query_p50_ms": round(statistics.median(qt), 2),
        "query_p99_ms": round(percentile(qt, 99), 2),
        "suggest_p50_ms": round(statistics.median(st), 2),
        "suggest_p99_ms": round(percentile(st, 99), 2),
        "rss_mb_start": round(rss_start, 1),
        "rss_mb_end": round(rss_end, 1),
    }
    if args.cpu:
        # CPU time, which a busy machine does not inflate the way it inflates wall time
        result.update(
            {
                "build_cpu_s": round(build_cpu_s, 2),
                "query_cpu_p50_ms": round(statistics.median(qc), 2),
                "query_cpu_p99_ms": round(percentile(qc, 99), 2),
                "load_avg": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else -1,
            }
        )
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>16}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
