"""The listener against the real broker: every tweet stored once, exact scores, bad input set aside."""

from __future__ import annotations

import math
import random
from pathlib import Path

from confluent_kafka import Consumer

from tests.support.headers import message_headers
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.records import Tweet
from tweetpulse.scorers.scoring import textblob_sentiment
from tweetpulse.stores import read_frame
from tweetpulse.stores.sqlite import SqliteStore as Store

WORDS = [
    "bitcoin",
    "is",
    "great",
    "terrible",
    "not",
    "very",
    "good",
    "bad",
    "eth",
    "doge",
    "moon",
    "crash",
    "love",
    "hate",
    ":)",
    ":(",
    "!!!",
    "happy",
    "sad",
    "$btc",
    "#ethereum",
    "amazing",
    "awful",
    "ok",
]


def make_tweets(n: int, seed: int = 7) -> list[Tweet]:
    rng = random.Random(seed)
    tweets = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12))) or "ok"  # a blank text is refused
        followers = None if i % 7 == 0 else int(rng.paretovariate(1.2) * 10)
        tweets.append(
            Tweet(
                id=f"it-{seed}-{i}",
                text=text,
                followers=followers,
                keywords=["bitcoin"] if "bitcoin" in text else [],
                created_at="2024-05-01T12:00:00Z",
                source="test",
            )
        )
    return tweets


def produce(kafka: KafkaConfig, tweets: list[Tweet]) -> None:
    with TweetProducer(kafka) as producer:
        for tweet in tweets:
            producer.send(tweet)
    assert producer.stats.delivered == len(tweets) and producer.stats.failed == 0


def listen(kafka: KafkaConfig, store: Path, workers: int = 2, group: str = "g", idle: float = 4.0) -> Listener:
    settings = ListenerSettings(kafka=kafka, group=group, store_path=str(store), batch_size=200)
    with Listener(settings, workers=workers) as listener:
        listener.wait(duration=90, idle_exit=idle)
    return listener


def test_every_tweet_stored_once_with_exact_scores(kafka: KafkaConfig, tmp_path: Path) -> None:
    tweets = make_tweets(1500)
    produce(kafka, tweets)
    store = tmp_path / "tweets.db"
    listener = listen(kafka, store)
    summary = listener.summary()
    assert summary.consumed == 1500 and summary.stored == 1500 and summary.dead == 0
    assert listener.restarts == 0  # every worker started once (a start gate freed too early killed them all)
    frame = read_frame(store).set_index("id")
    assert len(frame) == 1500
    for tweet in tweets:
        row = frame.loc[tweet.id]
        polarity, subjectivity = textblob_sentiment(tweet.text)
        assert row["polarity"] == polarity and row["subjectivity"] == subjectivity
        w = 1.0 if tweet.followers is None else math.log(tweet.followers + 1)
        assert row["weight"] == w and row["score"] == w * polarity
        assert row["label"] == ("positive" if polarity > 0 else "negative" if polarity < 0 else "neutral")
    # the page's aggregates count each stored tweet once
    assert listener.aggregator.series["overall"].total[0] == 1500
    assert all(not p.is_alive() for p in listener.processes)


def test_workers_build_the_named_scorer_with_its_neutral_band(kafka: KafkaConfig, tmp_path: Path) -> None:
    tweets = make_tweets(200, seed=5)
    produce(kafka, tweets)
    store = tmp_path / "tweets.db"
    band = 0.5
    settings = ListenerSettings(
        kafka=kafka, group="banded", store_path=str(store), batch_size=50, scorer="textblob", neutral_band=band
    )
    with Listener(settings, workers=1) as listener:
        listener.wait(duration=60, idle_exit=3)
    frame = read_frame(store).set_index("id")
    assert len(frame) == 200
    for tweet in tweets:
        polarity = textblob_sentiment(tweet.text)[0]
        expected = "positive" if polarity > band else "negative" if polarity < -band else "neutral"
        assert frame.loc[tweet.id, "label"] == expected
    # the band made a difference: some tweets textblob calls positive or negative are neutral here
    assert any(frame.loc[t.id, "label"] == "neutral" and textblob_sentiment(t.text)[0] != 0 for t in tweets)


def test_second_run_over_the_same_topic_stores_nothing_new(kafka: KafkaConfig, tmp_path: Path) -> None:
    tweets = make_tweets(300, seed=11)
    produce(kafka, tweets)
    store = tmp_path / "tweets.db"
    first = listen(kafka, store, group="first").summary()
    assert first.stored == 300
    # a new group reads the whole topic again: every id is already stored
    second = listen(kafka, store, group="second").summary()
    assert second.consumed == 300 and second.stored == 0 and second.duplicates == 300
    with Store(store) as s:
        assert s.count() == 300


def test_max_messages_is_exact_and_the_rest_is_left_for_later(kafka: KafkaConfig, tmp_path: Path) -> None:
    produce(kafka, make_tweets(500, seed=3))
    store = tmp_path / "tweets.db"
    settings = ListenerSettings(kafka=kafka, group="limited", store_path=str(store), batch_size=64)
    with Listener(settings, workers=2, max_messages=120) as listener:
        summary = listener.wait(duration=60)
    assert summary.consumed == 120
    rest = listen(kafka, store, group="limited").summary()
    assert rest.consumed == 380
    with Store(store) as s:
        assert s.count() == 500


def test_dead_letters_keep_their_bytes_and_reason(kafka: KafkaConfig, tmp_path: Path) -> None:
    good = make_tweets(20, seed=5)
    with TweetProducer(kafka) as producer:
        for i, tweet in enumerate(good):
            producer.send(tweet)
            producer.produce(f"bad-{i}", b"\xff not utf8" if i % 2 else b"{broken json")
    listener = listen(kafka, tmp_path / "t.db", workers=1)
    assert listener.summary().stored == 20 and listener.summary().dead == 20
    consumer = Consumer(kafka.client_conf(**{"group.id": "dlq-check", "auto.offset.reset": "earliest"}))
    consumer.subscribe([kafka.dlq_topic])
    got = []
    for _ in range(40):
        got += [m for m in consumer.consume(50, 1.0) if m.error() is None]
        if len(got) >= 20:
            break
    consumer.close()
    assert len(got) == 20
    reasons = {message_headers(m)["tweetpulse.reason"] for m in got}
    assert reasons == {b"not-utf8", b"not-json"}
    assert {m.value() for m in got} == {b"\xff not utf8", b"{broken json"}
    assert all(message_headers(m)["tweetpulse.source.topic"] == kafka.topic.encode() for m in got)
