"""HTML in tweets and in the classify box renders inert: shown as text, never run or parsed.

Tweets whose text and author carry markup and scripts go through the real broker and listener onto
the live page in real headless Chromium; the latest-tweets table must show them as literal text, no
element they describe may appear in the page, and no script they carry may run. The same markup
typed into the classify box is scored as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.test_dashboard_page import classify_in_page, wait_for
from tests.integration.test_listener import produce
from tweetpulse.dashboard import DashboardServer
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.demo import listener_app, page_aggregator
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.records import Tweet

PAYLOADS = [
    '<img src=x onerror="window.__pwned=1" id="injected-img"> bitcoin is great',
    "<script>window.__pwned=2</script><b id='injected-b'>bold</b> eth is bad",
    '[link](javascript:window.__pwned=3) <a id="injected-a" href="javascript:window.__pwned=4">doge</a>',
]
TEXTS = "return Array.from(document.querySelectorAll('#latest td[data-dash-column=\"text\"]'), td => td.textContent);"
INJECTED = "return document.querySelectorAll('[id^=\"injected\"], #latest img, #latest script, #latest a').length;"


def test_markup_in_tweets_and_the_classify_box_is_text(kafka: KafkaConfig, tmp_path: Path, browser: Any) -> None:
    tweets = [
        Tweet(
            id=f"html-{i}",
            text=text,
            author='<i id="injected-author">mallory</i>',
            followers=10,
            keywords=["bitcoin"],
            created_at="2024-05-01T12:00:00Z",
            source="test",
        )
        for i, text in enumerate(PAYLOADS)
    ]
    produce(kafka, tweets)
    settings = ListenerSettings(kafka=kafka, group="inert", store_path=str(tmp_path / "t.db"), batch_size=50)
    with Listener(settings, workers=1, max_messages=len(PAYLOADS), aggregator=page_aggregator()) as listener:
        listener.wait(duration=60)  # until every payload is handled (a slow worker start is no idle time)
        assert listener.summary().stored == len(PAYLOADS)
        with DashboardServer(listener_app(listener, interval_ms=500), "127.0.0.1", 0) as server:
            browser.get(server.url)
            shown = wait_for(
                "the tweets in the table",
                lambda: browser.execute_script(TEXTS),
                lambda texts: len(texts) == len(PAYLOADS),
            )
            assert sorted(shown) == sorted(PAYLOADS)  # the markup, as text
            assert '@<i id="injected-author">mallory</i>' in browser.find_element("id", "latest").text
            assert classify_in_page(browser, PAYLOADS[0]) == "positive"  # scored as the text it is
            assert browser.execute_script(INJECTED) == 0
            assert browser.execute_script("return window.__pwned === undefined;") is True
