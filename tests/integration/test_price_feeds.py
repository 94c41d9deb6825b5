"""``tweetpulse prices`` into the real broker, as a user runs it, against local stand-ins that speak
Coinbase Exchange's and Kraken v2's websocket protocols, and from an OHLC CSV replay."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import free_port
from tests.integration.test_stream_cli import assert_one_line_error, kafka_args, load_summary, run
from tests.integration.test_streamer import read_topic
from tests.support.exchange_servers import FakeCoinbase, FakeKraken, Plan, coinbase_ticker, kraken_ticker
from tweetpulse.kafka.config import KafkaConfig

BAD = b'{"type": "ticker", "product_id": "BTC-USD", "price": "NaN", "time": "yesterday"'  # cut short


def coinbase_timeline() -> list[object]:
    return [
        coinbase_ticker("BTC-USD", "61234.56", 1, 101, 9001),
        coinbase_ticker("ETH-USD", "3012.01", 2, 102, 9002),
        BAD,
        coinbase_ticker("BTC-USD", "61240.00", 3, 103, 9003),
        {"type": "ticker", "product_id": "BTC-USD", "price": 61240, "time": "2026-12-06T01:00:03Z"},  # a number
        coinbase_ticker("DOGE-USD", "0.123456", 4, 104, 9004),
        coinbase_ticker("BTC-USD", "61250.10", 5, 105, 9005),
    ]


def test_coinbase_into_the_broker_once_each_across_an_abrupt_close(kafka: KafkaConfig, tmp_path: Path) -> None:
    # connection 1: two ticks, a cut frame, a tick, a frame with a numeric price, then the TCP connection
    # is cut; connection 2 starts again at the tick of sequence 103 (the client had it) and goes on
    plan = [Plan(0, 5, "drop"), Plan(3, None, "hold")]
    with FakeCoinbase(frames=coinbase_timeline(), plan=plan) as exchange:
        result = run(
            [
                "prices",
                "--coinbase-url",
                exchange.url,
                "--limit",
                "5",
                "--summary-json",
                str(tmp_path / "s.json"),
                *kafka_args(kafka),
            ],
            tmp_path,
        )
    assert result.returncode == 0, result.stderr
    summary = load_summary(tmp_path / "s.json")
    assert (summary["produced"], summary["delivered"], summary["failed"]) == (5, 5, 0)
    assert summary["duplicates"] == 1  # sequence 103, re-sent on the new connection
    assert summary["malformed"] == 3  # the cut frame and the numeric price, then the numeric price again
    assert summary["counts"]["connections"] == 2 and summary["counts"]["subscriptions"] == 2
    assert summary["counts"]["heartbeats"] > 0
    # the malformed frames: logged once, counted in the summary
    assert result.stderr.count("malformed frame") == 1, result.stderr
    # the subscription: the real feed's message, sent at once (Coinbase drops a client silent for 5 s)
    assert exchange.subscriptions[0] == {
        "type": "subscribe",
        "product_ids": ["BTC-USD", "ETH-USD", "DOGE-USD"],
        "channels": ["ticker", "heartbeat"],
    }
    assert max(exchange.subscribe_delays) < 5.0 and exchange.dropped_for_silence == 0
    records = read_topic(kafka, expected=5)
    values = sorted((r.value for r in records), key=lambda v: v["sequence"])
    assert [(v["product"], v["price"], v["sequence"], v["trade_id"]) for v in values] == [
        ("BTC-USD", "61234.56", 101, 9001),
        ("ETH-USD", "3012.01", 102, 9002),
        ("BTC-USD", "61240.00", 103, 9003),
        ("DOGE-USD", "0.123456", 104, 9004),
        ("BTC-USD", "61250.10", 105, 9005),
    ]
    assert all(r.key == r.value["product"] for r in records)  # key = product
    first = values[0]
    assert (
        first["coin"] == "bitcoin" and first["source"] == "coinbase" and first["time"] == "2026-12-06T01:00:01.000101Z"
    )
    assert first["bid"] == "61234.56" and first["volume_24h"] == "12345.67890123"


def test_coinbase_refusing_a_product_is_one_line_naming_it(kafka: KafkaConfig, tmp_path: Path) -> None:
    with FakeCoinbase(frames=coinbase_timeline(), products=("BTC-USD", "ETH-USD")) as exchange:
        result = run(["prices", "--coinbase-url", exchange.url, "--limit", "3", *kafka_args(kafka)], tmp_path)
    assert result.returncode == 2
    assert_one_line_error(result, "coinbase refused the subscription", "DOGE-USD is not a valid product", "--products")
    assert len(exchange.subscriptions) == 1  # no retry loop against a refusal


def test_kraken_v2_into_the_broker_snapshot_repeat_dropped(kafka: KafkaConfig, tmp_path: Path) -> None:
    timeline: list[object] = [
        kraken_ticker("BTC/USD", 61234.5, 1, "snapshot"),
        kraken_ticker("ETH/USD", 3012.25, 2),
        b"\x00garbage",
        kraken_ticker("DOGE/USD", 0.123456, 3),
        kraken_ticker("BTC/USD", 61300.0, 4),
    ]
    plan = [Plan(0, 4, "close"), Plan(3, None, "hold")]  # connection 2 re-sends DOGE's tick as its snapshot
    with FakeKraken(frames=timeline, plan=plan, products=("BTC-USD", "ETH-USD", "DOGE-USD")) as exchange:
        result = run(
            [
                "prices",
                "--source",
                "kraken",
                "--kraken-url",
                exchange.url,
                "--limit",
                "4",
                "--summary-json",
                str(tmp_path / "s.json"),
                *kafka_args(kafka),
            ],
            tmp_path,
        )
    assert result.returncode == 0, result.stderr
    summary = load_summary(tmp_path / "s.json")
    assert (summary["delivered"], summary["duplicates"], summary["malformed"]) == (4, 1, 1)
    assert exchange.subscriptions[0] == {
        "method": "subscribe",
        "params": {"channel": "ticker", "symbol": ["BTC/USD", "ETH/USD", "DOGE/USD"]},
        "req_id": 1,
    }
    values = {(r.value["product"], r.value["price"]) for r in read_topic(kafka, expected=4)}
    assert values == {("BTC-USD", "61234.5"), ("ETH-USD", "3012.25"), ("DOGE-USD", "0.123456"), ("BTC-USD", "61300.0")}


def test_kraken_refusing_a_pair_is_one_line(kafka: KafkaConfig, tmp_path: Path) -> None:
    with FakeKraken(frames=[], products=("ETH-USD",)) as exchange:
        result = run(
            [
                "prices",
                "--source",
                "kraken",
                "--kraken-url",
                exchange.url,
                "--products",
                "XYZ-USD,ETH-USD",
                "--limit",
                "1",
                *kafka_args(kafka),
            ],
            tmp_path,
        )
    assert_one_line_error(result, "kraken refused the subscription", "Currency pair not supported XYZ/USD")


def test_replay_of_an_ohlc_csv_skips_nan_rows(kafka: KafkaConfig, tmp_path: Path) -> None:
    csv = tmp_path / "btcusd_1-min_data.csv"
    csv.write_text(
        "Timestamp,Open,High,Low,Close,Volume\n"
        "1325412060.0,4.58,4.58,4.58,4.58,0.0\n"
        "1325412120.0,NaN,NaN,NaN,NaN,NaN\n"
        "1325412180.0,4.58,4.6,4.58,4.6,1.5\n"
        "1325412240.0,,,,,\n"
        "1325412300.0,4.6,4.61,4.6,4.61,0.2\n",
        encoding="utf-8",
    )
    result = run(
        [
            "prices",
            "--source",
            "replay",
            "--file",
            str(csv),
            "--rate",
            "100",
            "--summary-json",
            str(tmp_path / "s.json"),
            *kafka_args(kafka),
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    summary = load_summary(tmp_path / "s.json")
    assert (summary["delivered"], summary["skipped"]) == (3, 2)
    assert "line 3" in result.stdout and "line 5" in result.stdout  # the NaN rows, by line number
    values = sorted((r.value for r in read_topic(kafka, expected=3)), key=lambda v: v["sequence"])
    assert [(v["price"], v["time"]) for v in values] == [
        ("4.58", "2012-01-01T10:01:00.000000Z"),
        ("4.6", "2012-01-01T10:03:00.000000Z"),
        ("4.61", "2012-01-01T10:05:00.000000Z"),
    ]
    assert {v["product"] for v in values} == {"BTC-USD"} and {v["source"] for v in values} == {"replay"}


def test_an_exchange_out_of_reach_is_given_up_on_with_one_line(kafka: KafkaConfig, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    result = run(
        ["prices", "--coinbase-url", f"ws://127.0.0.1:{port}", "--give-up-after", "2", *kafka_args(kafka)],
        tmp_path,
    )
    assert result.returncode == 2
    line = [ln for ln in result.stderr.splitlines() if "error:" in ln]
    assert len(line) == 1 and "could not reach" in line[0] and "2 connects failed" in line[0], result.stderr
    assert "Traceback" not in result.stderr
