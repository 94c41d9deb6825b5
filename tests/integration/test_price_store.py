"""The listener's price follower against the real broker and the real PostgreSQL (and SQLite): ticks on
the prices topic become per-minute bars in the store's prices table, a message that is not a tick
goes to prices.dlq with its reason, offsets are committed only after the bars are stored."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from tests.browser.test_dashboard_page import wait_for
from tweetpulse.dashboard.store_prices import StorePrices
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer
from tweetpulse.kafka.status import StatusPublisher
from tweetpulse.live.prices import PriceBoard
from tweetpulse.pipeline.price_follow import PriceFollower
from tweetpulse.prices.records import PriceTick
from tweetpulse.sources.live import LiveStatus
from tweetpulse.stores.prices import open_price_store, read_prices

MINUTE = 1_796_000_040  # 2026-11-30 ... :00, a minute's start


def dead_letter_reasons(kafka: KafkaConfig) -> list[bytes]:
    consumer = Consumer(kafka.client_conf(**{"group.id": f"dlq-{uuid.uuid4().hex}", "enable.auto.commit": False}))
    try:
        consumer.assign([TopicPartition(kafka.dlq_topic, 0, OFFSET_BEGINNING)])
        deadline, reasons = time.monotonic() + 20, list[bytes]()
        while not reasons and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                reasons += [bytes(v or b"") for k, v in list(msg.headers() or []) if k == "tweetpulse.reason"]  # type: ignore[arg-type]
        return reasons
    finally:
        consumer.close()


def ticks() -> list[PriceTick]:
    out = []
    for i in range(12):  # 12 ticks 10 s apart: two minutes of BTC, ETH's every third
        product = "ETH-USD" if i % 3 == 0 else "BTC-USD"
        at = MINUTE + 10 * i
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + ".250000Z"
        out.append(
            PriceTick(product, "ethereum" if product == "ETH-USD" else "bitcoin", f"{100 + i}.5", stamp, "coinbase", i)
        )
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "tweets.db")
    return str(request.getfixturevalue("pg_store_url"))


def test_the_follower_keeps_bars_and_dead_letters_bad_messages(kafka: KafkaConfig, store_url: str) -> None:
    with TweetProducer(kafka) as producer:
        for t in ticks():
            producer.produce(t.product, t.to_json())
        producer.produce("BTC-USD", b'{"product": "BTC-USD", "price": "NaN"}')
        producer.produce("BTC-USD", ticks()[1].to_json())  # the same tick twice (a producer retry)
    with StatusPublisher(kafka) as status:  # a feed elsewhere says it is reconnecting
        status.publish(LiveStatus("coinbase", "retrying", 3, 1, "closed", attempt=1, retry_in=2.0))
    with open_price_store(store_url) as before:
        assert not before.exists()  # asking does not create it
    group = f"prices-{uuid.uuid4().hex[:6]}"
    board = PriceBoard()
    follower = PriceFollower(kafka, group, store_url, board, wait=0.2).start()
    try:
        wait_for("every tick stored", lambda: follower.stored, lambda n: n >= 13, timeout=60)
    finally:
        follower.stop()
    bars = read_prices(store_url)
    btc = bars[bars["product"] == "BTC-USD"].reset_index(drop=True)
    eth = bars[bars["product"] == "ETH-USD"].reset_index(drop=True)
    assert len(btc) == 2 and len(eth) == 2
    assert (btc.loc[0, "open"], btc.loc[0, "close"], btc.loc[0, "high"], btc.loc[0, "low"]) == (
        101.5,
        105.5,
        105.5,
        101.5,
    )
    assert (btc.loc[1, "open"], btc.loc[1, "close"]) == (107.5, 111.5)
    assert list(eth["close"]) == [103.5, 109.5]
    assert int(btc.loc[0, "minute"]) == MINUTE and str(btc.loc[0, "time"]).startswith("2026-")
    assert set(bars["coin"]) == {"bitcoin", "ethereum"} and not bars["synthetic"].any()
    # the bad message, dead-lettered with its reason
    assert dead_letter_reasons(kafka) == [b"bad-field"]
    health = board.health()
    assert health.dead == 1 and health.ticks == 12  # the repeat is on the board once
    assert (health.status or "").startswith("coinbase: reconnecting (attempt 1")
    # committed after storing: the group starts where it stopped, nothing is read again
    again = PriceFollower(kafka, group, store_url, PriceBoard(), wait=0.2).start()
    time.sleep(3)
    again.stop()
    assert again.stored == 0
    # the page from the store draws the same bars
    page_board = PriceBoard(window=10**9)
    assert StorePrices(store_url, page_board).read_once() == 4
    xs, ys = page_board.series("BTC-USD", 0)
    assert (xs, ys) == ([MINUTE, MINUTE + 60], [105.5, 111.5])
    with open_price_store(store_url) as store:
        assert len(store.bars(MINUTE + 60)) == 2  # only the second minute
