"""Issue 23's targets in the benchmark session: ratios to one core of TextBlob, the profile's parsing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks import perfdoc, report
from benchmarks.__main__ import textblob_ratios
from benchmarks.bench_profile import (
    SUPERVISOR_STAGES,
    WORKER_STAGES,
    breakdown,
    read_samples,
    stage_of,
    steady_cost,
    steady_us_per_tweet,
)


def figure(value: float) -> dict[str, object]:
    return {"value": value, "unit": "tweets/s", "settings": {"workers": 2}}


def test_ratios_only_from_rates_measured_with_textblob_in_the_same_session() -> None:
    figures = {
        "textblob_tweets_per_s": figure(4000),
        "e2e_steady_tweets_per_s": figure(90_000),
        "e2e_model_steady_tweets_per_s": figure(16_000),
        "e2e_vader_steady_tweets_per_s": figure(6_000),
    }
    got = textblob_ratios(figures, ["scorer", "e2e", "scorers"])
    assert {k: v["value"] for k, v in got.items()} == {
        "e2e_vs_textblob": 22.5,
        "e2e_model_vs_textblob": 4.0,
        "e2e_vader_vs_textblob": 1.5,
    }
    assert textblob_ratios(figures, ["e2e", "scorers"]) == {}  # TextBlob's rate is from another session
    assert set(textblob_ratios(figures, ["scorer", "e2e"])) == {"e2e_vs_textblob"}
    results = {"figures": {**figures, **got}}
    met = {name: m for name, _, _, _, m in report.rows(results)}
    assert met["e2e_vs_textblob"] == "yes" and met["e2e_model_vs_textblob"] == "NO"
    assert met["e2e_vader_vs_textblob"] == "NO"
    page = perfdoc.render(results)
    assert "| `e2e_vs_textblob` | 22.5 | x | >= 20x one core of TextBlob | yes |" in page
    assert "**4,000 tweets/s**" in page


def test_a_ratio_takes_the_reference_timed_beside_its_runs() -> None:
    runs = {"per_run_x": [19.1, 20.4, 21.0], "per_run_textblob_tweets_per_s": [5000, 5400, 5800]}
    paired = {"value": 20.4, "unit": "x", "settings": runs}
    figures = {
        "textblob_tweets_per_s": figure(4000),  # timed minutes before, on a slower minute
        "e2e_steady_tweets_per_s": figure(110_000),
        "e2e_paired_vs_textblob": paired,
    }
    got = textblob_ratios(figures, ["scorer", "e2e"])["e2e_vs_textblob"]
    assert got["value"] == 20.4 and got["settings"]["per_run_x"] == [19.1, 20.4, 21.0]
    assert got["settings"]["vs_the_scorer_parts_textblob"] == 27.5  # shown beside it, not the figure
    # without the scorer part the paired ratio still stands: its reference was timed in the same run
    assert textblob_ratios(figures, ["e2e"])["e2e_vs_textblob"]["value"] == 20.4


def test_the_targets_of_issue_23() -> None:
    targets = report.TARGETS
    assert targets["e2e_start_s"].check(1.0) and not targets["e2e_start_s"].check(1.01)
    assert targets["visible_p99_s"].check(0.5) and not targets["visible_p99_s"].check(0.51)
    assert not targets["rss_tweets_processed"].check(4_999_999)


def test_profile_stacks_are_split_by_process_and_stage(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    worker = 'process 10:"tweetpulse listen";process 12:"python -c from multiprocessing.spawn import x; y()"'
    raw.write_text(
        f"{worker};run (tweetpulse/worker.py:1);serve (w.py:2);Worker.prepare (w.py:3);"
        "records_fields (models.py:5) 30\n"
        f"{worker};run (w.py:1);Worker.prepare (w.py:3);batch_scorer.<locals>.score (s.py:1);"
        "PerText.sentiments (b.py:1);TextBlobAnalyzer.sentiment (t.py:1) 60\n"
        f"{worker};run (w.py:1);SqliteStore.insert (s.py:9) 10\n"
        'process 10:"tweetpulse listen";Thread.run (threading.py:1);Listener._drain (l.py:1);'
        "Listener._fold_ready (l.py:2) 5\n",
        encoding="utf-8",
    )
    samples = read_samples(raw)
    assert {pid: sum(c.values()) for pid, c in samples.items()} == {12: 100, 10: 5}
    assert breakdown(samples[12], cpu_s=1.0, tweets=100_000, stages=WORKER_STAGES) == {
        "score": 6.0,
        "decode": 3.0,
        "insert": 1.0,
    }
    assert stage_of(next(iter(samples[10])), SUPERVISOR_STAGES) == "fold_deltas"
    assert breakdown(Counter(), 1.0, 10, WORKER_STAGES) == {}


def test_the_generated_part_replaces_itself_and_keeps_the_page(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\nWritten by hand.\n", encoding="utf-8")
    results = {"figures": {"textblob_tweets_per_s": figure(4000)}}
    perfdoc.write(results, page)
    perfdoc.write({"figures": {"textblob_tweets_per_s": figure(5000)}}, page)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nWritten by hand.\n")
    assert text.count(perfdoc.START) == 1 and text.count(perfdoc.END) == 1
    assert "**5,000 tweets/s**" in text and "4,000" not in text


def test_the_broker_counts_by_its_cost_while_tweets_were_stored() -> None:
    # (tweets stored, broker CPU s): 1 s of start-up before anything is stored, 0.5 s idle at the end
    marks = [(0, 1.0), (0, 2.0), (5_000, 2.01), (20_000, 2.05), (60_000, 2.15), (95_000, 2.2), (100_000, 2.75)]
    assert steady_cost(marks, 100_000) == 2.0  # (2.2 - 2.05) s over the 75,000 tweets from 20,000 to 95,000
    assert steady_cost([(0, 1.0), (5_000, 1.1)], 100_000) is None  # never reached 90%
    processes = {
        "worker": {"us_per_tweet": 12.0, "stages_us_per_tweet": {"score": 9.0, "start-up": 3.0}},
        "broker": {"us_per_tweet": 27.5, "steady_us_per_tweet": 2.0},
    }
    assert steady_us_per_tweet(processes) == 11.0  # 12 - 3 + 2, not + 27.5
