"""Triage latency per message on the dev corpus, with the real articles and with 2,000 and
20,000 articles (real plus deterministic synthetic extras). Prints JSON.

Targets (one core): p99 < 5 ms at 2,000 articles and < 25 ms at 20,000. Triage is
single-threaded; wall-clock and CPU-time percentiles are both reported, since on a shared
machine the wall clock also measures the neighbours (the load average is printed too).
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from gen_articles import synthetic_articles  # noqa: E402

from knowledge import KnowledgeBase, Triage, TriageRequest  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "tickets-dev.jsonl"
PASSES = 10


def _requests() -> list[TriageRequest]:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    return [TriageRequest(subject=r["subject"], body=r["body"]) for r in records]


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _measure(triage: Triage, requests: list[TriageRequest]) -> dict:
    for req in requests:  # warm caches and the regex engine
        triage.decide(req)
    gc.collect()
    wall, cpu = [], []
    for _ in range(PASSES):
        for req in requests:
            start, start_cpu = time.perf_counter(), time.thread_time()
            triage.decide(req)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return {
        "messages": len(wall),
        "p50_ms": round(statistics.median(wall), 3),
        "p99_ms": round(_percentile(wall, 0.99), 3),
        "max_ms": round(max(wall), 3),
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "cpu_p99_ms": round(_percentile(cpu, 0.99), 3),
    }


def main() -> None:
    requests = _requests()
    real = KnowledgeBase.load()
    results = {}
    for total in (len(real.articles), 2_000, 20_000):
        extras = synthetic_articles(max(0, total - len(real.articles)))
        started = time.perf_counter()
        kb = KnowledgeBase([*real.articles, *extras])
        build_ms = (time.perf_counter() - started) * 1000
        results[str(total)] = {"articles": total, "index_build_ms": round(build_ms, 1),
                               **_measure(Triage(kb), requests)}
    print(json.dumps({"corpus": str(CORPUS), "passes": PASSES, "load_average": os.getloadavg(),
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()
