"""The live page in real headless Chromium, with tweets flowing through the real broker.

The listener's workers consume, score and store; the page is served by DashboardServer. While a
producer sends tweets for several seconds, the charts must grow tick after tick and the latest
tweets table must fill; once everything is stored, the pie must add up to the store's count; the
classify box must agree with ``tweetpulse score``. A screenshot goes to ``artifacts/``.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tweetpulse.dashboard import DashboardServer, build_app, listener_health
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer
from tweetpulse.keywords import DEFAULT_GROUPS
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.scorers.scoring import TextBlobScorer
from tweetpulse.sources.sample import SampleSource
from tweetpulse.stores.sqlite import SqliteStore as Store

from ..conftest import ROOT, free_port
from .conftest import full_page_png

TWEETS = 900
SECONDS = 12.0
T = TypeVar("T")

# the graph's element appears before plotly has drawn into it: no plot yet reads as no traces
TRACE_LENGTHS = (
    "const g = document.querySelector('#%s .js-plotly-plot'); "
    "return g && g.data ? Array.from(g.data, t => t.x.length) : [];"
)
PIE_VALUES = "const g = document.querySelector('#pie .js-plotly-plot'); return g && g.data ? g.data[0].values : null;"
TABLE_ROWS = "return document.querySelectorAll('#latest td[data-dash-column=\"text\"]').length;"


def wait_for(
    what: str, probe: Callable[[], T], ok: Callable[[T], bool], timeout: float = 30.0, every: float = 0.25
) -> T:
    deadline = time.monotonic() + timeout
    value = probe()
    while not ok(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last value: {value!r}")
        time.sleep(every)
        value = probe()
    return value


def produce_slowly(kafka: KafkaConfig, done: threading.Event, errors: list[BaseException]) -> None:
    """The bundled sample's tweets, TWEETS of them spread over SECONDS, ids unique to this run."""
    run = uuid.uuid4().hex[:6]
    try:
        with TweetProducer(kafka) as producer:
            start = time.monotonic()
            for i, tweet in enumerate(itertools.islice(SampleSource(), TWEETS)):
                tweet.id = f"{tweet.id}-{run}"
                producer.send(tweet)
                lag = start + SECONDS * i / TWEETS - time.monotonic()
                if lag > 0:
                    time.sleep(lag)
        assert producer.stats.delivered == TWEETS, producer.stats
    except BaseException as exc:  # surfaced by the test
        errors.append(exc)
    finally:
        done.set()


def score_cli(text: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tweetpulse.cli", "score", "--json", text],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    return dict(json.loads(out.stdout))


def classify_in_page(browser: Any, text: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    box = browser.find_element(By.ID, "classify-text")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)  # as a user would: React sees the change (WebElement.clear() it may not)
    box.send_keys(text)
    assert box.get_attribute("value") == text
    previous = browser.find_elements(By.ID, "classify-label")
    browser.find_element(By.ID, "classify-button").click()
    if previous:
        WebDriverWait(browser, 15).until(expected_conditions.staleness_of(previous[0]))
    return wait_for(
        f"the classify result for {text!r}",
        lambda: browser.execute_script(
            "const e = document.getElementById('classify-label'); return e ? e.textContent : null;"
        ),
        lambda label: bool(label),
    )


def test_the_live_page_follows_the_stream(kafka: KafkaConfig, tmp_path: Path, browser: Any, artifacts: Path) -> None:
    store = tmp_path / "tweets.db"
    settings = ListenerSettings(
        kafka=kafka, group=f"browser-{uuid.uuid4().hex[:6]}", store_path=str(store), batch_size=100
    )
    done = threading.Event()
    errors: list[BaseException] = []
    with Listener(settings, workers=2) as listener:
        app = build_app(
            listener.aggregator,
            DEFAULT_GROUPS,
            subtitle=f"source: bundled sample · topic {kafka.topic} · store {store.name}",
            health=listener_health(listener),
            classify=TextBlobScorer(neutral_band=settings.neutral_band),
        )
        with DashboardServer(app, "127.0.0.1", free_port()) as server:
            browser.set_window_size(1440, 1000)
            browser.get(server.url)
            wait_for("the page", lambda: browser.execute_script("return !!document.getElementById('trend');"), bool)
            producer = threading.Thread(target=produce_slowly, args=(kafka, done, errors), daemon=True)
            producer.start()

            # the charts grow over successive ticks while tweets flow
            def lengths(graph: str) -> list[int]:
                return list(browser.execute_script(TRACE_LENGTHS % graph) or [])

            first = wait_for("the first points", lambda: lengths("trend"), lambda ls: len(ls) == 4 and min(ls) > 0)
            growth = [first]
            for _ in range(3):
                before = max(growth[-1])

                def grown(ls: list[int], before: int = before) -> bool:
                    return min(ls) > before

                growth.append(wait_for("the trend to grow", lambda: lengths("trend"), grown, timeout=10))
            assert not done.is_set(), "the producer finished before the charts were seen growing"
            rate = lengths("rate")
            assert len(rate) == 4 and min(rate) > 0

            # the table fills
            rows = wait_for("the latest tweets table", lambda: browser.execute_script(TABLE_ROWS), lambda n: n >= 10)
            assert rows <= 12

            # the classify box gives what `tweetpulse score` gives
            for text in (
                "Bitcoin is looking really great today!",
                "ETH fees are terrible, worst week ever :(",
                "dogecoin transfer at noon",
            ):
                assert classify_in_page(browser, text) == score_cli(text)["label"]
                polarity = browser.execute_script("return document.getElementById('classify-polarity').textContent;")
                assert float(polarity.replace("\u2212", "-")) == round(score_cli(text)["polarity"], 4)

            # everything stored: the pie adds up to the store's count
            done.wait(60)
            assert not errors, errors
            wait_for(
                "every tweet stored", lambda: listener.aggregator.counters["stored"], lambda n: n >= TWEETS, timeout=60
            )
            with Store(store) as s:
                stored = s.count()
            assert stored == TWEETS
            wait_for(
                "the pie to add up to the store",
                lambda: browser.execute_script(PIE_VALUES),
                lambda values: bool(values) and sum(values) == stored,
                timeout=15,
            )
            wait_for(
                "both workers alive on the page",
                lambda: browser.execute_script("return document.getElementById('health-workers').textContent;"),
                lambda t: t == "2 / 2",
                timeout=15,
            )
            wait_for(
                "the consumer lag",
                lambda: browser.execute_script("return document.getElementById('health-lag').textContent;"),
                lambda t: t not in ("…", ""),
                timeout=15,
            )

            # a screenshot of the whole page, as an artifact (not committed)
            browser.execute_script("window.scrollTo(0, 0); document.activeElement.blur();")
            time.sleep(1.0)
            shot = artifacts / "dashboard-browser-test.png"
            shot.write_bytes(full_page_png(browser))
            assert shot.stat().st_size > 10_000
            severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
            assert not severe, severe
