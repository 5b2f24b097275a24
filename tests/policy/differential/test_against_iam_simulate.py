"""Differential test: Sekisho's policy engine against `@cloud-copilot/iam-simulate`.

A seeded corpus of realistic cases (`corpus.py`) is decided by both; every disagreement must be
explained by a documented oracle mistake (`known.py`, `docs/differential-testing.md`), or the
test fails listing it. The oracle is installed with the machine's npm on first use; without
node, npm or the registry the test fails (it never skips).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sekisho.policy import evaluate_case

from .corpus import DEFAULT_COUNT, DEFAULT_SEED, generate_corpus
from .known import KNOWN_RULES, candidate_rewrites
from .oracle import OracleResult, OracleUnavailable, run_oracle

DOC = Path(__file__).resolve().parents[3] / "docs" / "differential-testing.md"
SAMPLE = Path(__file__).with_name("sample_cases.json")
MIN_CORPUS = 2000

Case = dict[str, Any]


def _oracle(cases: list[Case]) -> dict[str, OracleResult]:
    try:
        return run_oracle(cases)
    except OracleUnavailable as exc:
        pytest.fail(f"iam-simulate oracle unavailable: {exc}", pytrace=False)


def _sekisho(case: Case) -> str:
    try:
        return str(evaluate_case(case)["decision"])
    except Exception as exc:  # reported as a disagreement, whatever it is
        return f"error: {type(exc).__name__}: {exc}"


@pytest.fixture(scope="module")
def corpus() -> list[Case]:
    return generate_corpus(DEFAULT_SEED, DEFAULT_COUNT)


@pytest.fixture(scope="module")
def oracle_results(corpus: list[Case]) -> dict[str, OracleResult]:
    return _oracle(corpus)


@pytest.fixture(scope="module")
def sekisho_results(corpus: list[Case]) -> dict[str, str]:
    return {case["id"]: _sekisho(case) for case in corpus}


def _explained(cases: list[Case], ours: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Map each explainable disagreement's id to the known rule(s) that explain it."""
    batch: list[tuple[str, tuple[str, ...], Case]] = []
    for case in cases:
        for n, (names, rewritten) in enumerate(candidate_rewrites(case)):
            batch.append((case["id"], names, dict(rewritten, id=f"{case['id']}#{n}")))
    if not batch:
        return {}
    answers = _oracle([rewritten for _, _, rewritten in batch])
    explained: dict[str, tuple[str, ...]] = {}
    for case_id, names, rewritten in batch:
        if case_id in explained:
            continue
        if (answers[rewritten["id"]].decision == ours[case_id]
                and _sekisho(rewritten) == ours[case_id]):
            explained[case_id] = names
    return explained


def test_corpus_is_large_and_reproducible(corpus: list[Case]) -> None:
    assert len(corpus) >= MIN_CORPUS
    assert len({case["id"] for case in corpus}) == len(corpus)
    assert generate_corpus(DEFAULT_SEED, 50) == corpus[:50]


def test_sample_file_is_the_head_of_the_corpus(corpus: list[Case]) -> None:
    sample = json.loads(SAMPLE.read_text())
    assert sample == corpus[: len(sample)]


def test_oracle_accepts_every_case(corpus: list[Case],
                                   oracle_results: dict[str, OracleResult]) -> None:
    # A rejected case or an ignored context key means the grammar strayed outside what the
    # oracle models; the comparison would then be meaningless for that case.
    bad = [(r.case_id, r.error, r.ignored_context_keys) for r in oracle_results.values()
           if r.error or r.ignored_context_keys or r.decision is None]
    assert not bad, f"iam-simulate could not take {len(bad)} cases, e.g. {bad[:5]}"


def test_every_known_rule_is_documented() -> None:
    text = DOC.read_text()
    missing = [rule.name for rule in KNOWN_RULES if f"### `{rule.name}`" not in text]
    assert not missing, f"known rules without a section in {DOC.name}: {missing}"


def test_sekisho_agrees_with_iam_simulate(corpus: list[Case],
                                          oracle_results: dict[str, OracleResult],
                                          sekisho_results: dict[str, str]) -> None:
    disagreeing = [case for case in corpus
                   if sekisho_results[case["id"]] != oracle_results[case["id"]].decision]
    explained = _explained(disagreeing, sekisho_results)
    unexplained = [case for case in disagreeing if case["id"] not in explained]
    by_rule: dict[str, int] = {}
    for names in explained.values():
        key = "+".join(names)
        by_rule[key] = by_rule.get(key, 0) + 1
    summary = (f"{len(corpus)} cases, {len(corpus) - len(disagreeing)} agree, "
               f"{len(explained)} known disagreements {by_rule}, "
               f"{len(unexplained)} unexplained")
    print(summary)
    if unexplained:
        lines = [summary]
        for case in unexplained:
            lines.append(f"- {case['id']}: sekisho={sekisho_results[case['id']]} "
                         f"iam-simulate={oracle_results[case['id']].decision}\n"
                         f"  {json.dumps(case, separators=(',', ':'))}")
        pytest.fail("\n".join(lines), pytrace=False)
