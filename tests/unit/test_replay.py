"""Dataset replay: every format, broken rows with their line numbers, gzip, looping, detection."""

from __future__ import annotations

import gzip
import re
from itertools import islice
from pathlib import Path

import orjson
import pytest

from tests.support.replay_files import BITCOIN_HEADER, kaggle_bitcoin_csv
from tweetpulse.errors import ConfigError, DatasetError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet, record_from_dict
from tweetpulse.sources.detect import detect_format
from tweetpulse.sources.fields import iso_utc, twitter_time
from tweetpulse.sources.formats import FORMATS
from tweetpulse.sources.replay import ReplaySource

SHARED_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "twitter_validation_sample.csv"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def jsonl(*objects: object) -> bytes:
    return b"".join(obj if isinstance(obj, bytes) else orjson.dumps(obj) + b"\n" for obj in objects)


def read(path: Path, fmt: str | None = None, **kwargs: object) -> tuple[list[Tweet], ReplaySource]:
    source = ReplaySource(path, fmt, **kwargs)  # type: ignore[arg-type]
    return list(source), source


def skipped_lines(source: ReplaySource) -> list[int]:
    return [line for line, _ in source.skipped.examples]


# -- kaggle-entity ------------------------------------------------------------------------------
@pytest.mark.unit
def test_kaggle_entity_rows_and_broken_rows(tmp_path: Path) -> None:
    data = (
        b'2401,Borderlands,Positive,"im getting on borderlands and i will murder you all ,"\n'  # 1
        b"2401,Borderlands,Positive,I am coming to the borders and I will kill you all $BTC\n"  # 2
        b"2402,Bitcoin,Negative,too,many,columns\n"  # 3
        b'2403,Bitcoin,Neutral,"a text over\n'  # 4
        b'two lines about ETH"\n'  # 5
        b"2404,Bitcoin,Neutral,\n"  # 6: no text
        b"2405,Bitcoin,Neutral,caf\xe9 is latin-1 not utf-8\n"  # 7
        b"\n"  # 8: blank, ignored
        b"2406,Dogecoin,Positive,DOGE to the moon\r\n"  # 9
        b"only-one-column\n"  # 10
    )
    tweets, source = read(write(tmp_path / "entity.csv", data))
    assert source.format == "kaggle-entity"
    assert source.name == "replay:kaggle-entity"
    assert [t.id for t in tweets] == ["2401-1", "2401-2", "2403-4", "2406-9"]
    assert [t.keywords for t in tweets] == [[], ["bitcoin"], ["ethereum"], ["dogecoin"]]
    assert tweets[2].text == "a text over\ntwo lines about ETH"
    assert tweets[3].text == "DOGE to the moon"
    assert skipped_lines(source) == [3, 6, 7, 10]
    reasons = dict(source.skipped.examples)
    assert "expected 4 columns" in reasons[3]
    assert reasons[6] == "no text"
    assert reasons[7] == "not UTF-8"
    assert source.skipped.count == 4
    for tweet in tweets:
        assert tweet.source == "replay:kaggle-entity"
        assert tweet.followers is None and tweet.author is None
        assert tweet.created_at is not None and ISO.match(tweet.created_at)
        record_from_dict(tweet.to_dict())  # honours the wire contract


@pytest.mark.unit
def test_kaggle_entity_header_row_is_skipped_silently(tmp_path: Path) -> None:
    data = "Tweet ID,entity,sentiment,Tweet content\n1,Bitcoin,Positive,btc up\n"
    tweets, source = read(write(tmp_path / "entity_with_header.csv", data))
    assert source.format == "kaggle-entity"
    assert [t.id for t in tweets] == ["1-2"]
    assert source.skipped.count == 0


@pytest.mark.unit
def test_shared_kaggle_sample() -> None:
    if not SHARED_CSV.is_file():
        pytest.fail(f"{SHARED_CSV} is missing: the tests need ../shared/data beside the project", pytrace=False)
    assert detect_format(SHARED_CSV) == "kaggle-entity"
    tweets, source = read(SHARED_CSV)
    assert len(tweets) == 500
    assert source.skipped.count == 0
    ids = [t.id for t in tweets]
    assert len(set(ids)) == 500
    assert all(re.fullmatch(r"\d+-\d+", i) for i in ids)
    assert all(t.text for t in tweets)
    assert any("bitcoin" in t.keywords for t in tweets)
    # ids are stable: a second read gives the same ones
    assert [t.id for t in ReplaySource(SHARED_CSV)] == ids


# -- kaggle-bitcoin -----------------------------------------------------------------------------
@pytest.mark.unit
def test_kaggle_bitcoin(tmp_path: Path) -> None:
    path = write(tmp_path / "Bitcoin_tweets.csv", kaggle_bitcoin_csv(erin_followers="12.5"))
    tweets, source = read(path)
    assert source.format == "kaggle-bitcoin"
    assert [t.author for t in tweets] == ["alice", "bob", "dave", "erin", "alice"]
    assert [t.followers for t in tweets] == [8534, 12, None, None, 8534]
    assert tweets[0].created_at == "2021-02-10T23:59:04Z"
    assert tweets[1].created_at == "2021-02-10T23:58:48Z"
    assert tweets[2].created_at is not None and tweets[2].created_at.startswith("20")  # replay time
    assert tweets[3].created_at == "2021-02-11T00:02:03Z"
    assert [t.keywords for t in tweets] == [["bitcoin"], ["ethereum"], ["dogecoin"], ["bitcoin"], ["bitcoin"]]
    assert tweets[1].text == "multi\nline $eth"
    assert skipped_lines(source) == [5, 8]
    assert "expected 13 columns, got 5" in source.skipped.examples[0][1]
    # ids: content digest + starting line; unique even for the duplicated row, stable across reads
    assert all(re.fullmatch(r"[0-9a-f]{16}-\d+", t.id) for t in tweets)
    assert [t.id.split("-")[1] for t in tweets] == ["2", "3", "6", "7", "9"]
    assert tweets[0].id.split("-")[0] == tweets[4].id.split("-")[0]
    assert len({t.id for t in tweets}) == 5
    assert [t.id for t in ReplaySource(path)] == [t.id for t in tweets]


# -- x-v2-jsonl ---------------------------------------------------------------------------------
def v2_message(tweet_id: str, text: str, tags: list[str] | None = None, followers: int = 42) -> dict[str, object]:
    message: dict[str, object] = {
        "data": {
            "id": tweet_id,
            "text": text,
            "author_id": "9",
            "lang": "en",
            "created_at": "2024-03-05T14:00:01.000Z",
        },
        "includes": {
            "users": [
                {"id": "8", "username": "other"},
                {"id": "9", "username": "satoshi", "public_metrics": {"followers_count": followers}},
            ]
        },
    }
    if tags is not None:
        message["matching_rules"] = [{"id": str(i), "tag": tag} for i, tag in enumerate(tags)]
    return message


@pytest.mark.unit
def test_x_v2_stream_lines(tmp_path: Path) -> None:
    data = jsonl(
        v2_message("101", "BTC is up", tags=["bitcoin"]),  # 1
        b"\r\n",  # 2 keep-alive
        v2_message("102", "ETH and DOGE", tags=["Dogecoin", "not-a-group"]),  # 3: keywords from the tag
        v2_message("103", "ETH and DOGE", tags=["crypto rule"]),  # 4: keywords from the text
        b"{not json\n",  # 5
        {"errors": [{"title": "operational-disconnect"}]},  # 6
        {"data": {"id": "107", "author_id": "9"}},  # 7: no text
        b"\n",  # 8
        {"data": {"id": "109", "text": "no user for this one $eth"}},  # 9
    )
    tweets, source = read(write(tmp_path / "stream.jsonl", data))
    assert source.format == "x-v2-jsonl"
    assert [t.id for t in tweets] == ["101", "102", "103", "109"]
    assert [t.keywords for t in tweets] == [["bitcoin"], ["dogecoin"], ["ethereum", "dogecoin"], ["ethereum"]]
    assert tweets[0].author == "satoshi" and tweets[0].author_id == "9" and tweets[0].followers == 42
    assert tweets[0].created_at == "2024-03-05T14:00:01.000Z"
    assert tweets[0].lang == "en"
    assert tweets[3].author is None and tweets[3].followers is None
    assert tweets[3].created_at is not None and ISO.match(tweets[3].created_at)
    assert skipped_lines(source) == [5, 6, 7]
    assert dict(source.skipped.examples)[5].startswith("bad JSON")


@pytest.mark.unit
def test_x_v2_search_page(tmp_path: Path) -> None:
    page = {
        "data": [
            {"id": "1", "text": "bitcoin", "author_id": "9"},
            {"id": "2", "author_id": "9"},
            {"id": "3", "text": "dogecoin", "author_id": "8"},
        ],
        "includes": {
            "users": [
                {"id": "9", "username": "a", "public_metrics": {"followers_count": 5}},
                {"id": "8", "username": "b", "public_metrics": {"followers_count": 7}},
            ]
        },
        "meta": {"result_count": 3},
    }
    empty_page = {"meta": {"result_count": 0}}
    tweets, source = read(write(tmp_path / "search.jsonl", jsonl(page, empty_page, page)), "x-v2-jsonl")
    assert [(t.id, t.author, t.followers, t.keywords) for t in tweets[:2]] == [
        ("1", "a", 5, ["bitcoin"]),
        ("3", "b", 7, ["dogecoin"]),
    ]
    assert len(tweets) == 4
    assert skipped_lines(source) == [1, 3]


# -- x-v1-jsonl ---------------------------------------------------------------------------------
@pytest.mark.unit
def test_x_v1_statuses(tmp_path: Path) -> None:
    user = {"id_str": "77", "screen_name": "hodler", "followers_count": 1234}
    data = jsonl(
        {
            "id_str": "1",
            "text": "short btc…",
            "truncated": True,
            "user": user,
            "lang": "en",
            "created_at": "Wed Oct 10 20:19:24 +0000 2018",
            "extended_tweet": {"full_text": "short btc and the rest $ETH"},
        },
        {"id": 2, "id_str": "2", "full_text": "full text doge", "text": "ignored", "user": user},
        {"delete": {"status": {"id_str": "1"}}},
        {"id_str": "4", "text": "RT @x: DOGE", "retweeted_status": {"id_str": "3", "text": "DOGE"}, "user": user},
        {"text": "no id"},
        {
            "id": 6,
            "text": "int id btc",
            "user": {"id": 78, "followers_count": "9"},
            "created_at": "Thu Oct 11 01:00:00 +0200 2018",
        },
        {"id_str": "7", "user": user},
    )
    tweets, source = read(write(tmp_path / "statuses.jsonl", data))
    assert source.format == "x-v1-jsonl"
    assert [t.id for t in tweets] == ["1", "2", "4", "6"]
    assert tweets[0].text == "short btc and the rest $ETH"
    assert tweets[0].keywords == ["bitcoin", "ethereum"]
    assert tweets[0].created_at == "2018-10-10T20:19:24Z"
    assert (tweets[0].author, tweets[0].author_id, tweets[0].followers, tweets[0].lang) == ("hodler", "77", 1234, "en")
    assert tweets[1].text == "full text doge"
    assert tweets[2].text == "RT @x: DOGE"
    assert tweets[3].author_id == "78" and tweets[3].followers == 9
    assert tweets[3].created_at == "2018-10-10T23:00:00Z"
    assert skipped_lines(source) == [5, 7]


# -- jsonl --------------------------------------------------------------------------------------
@pytest.mark.unit
def test_jsonl_records(tmp_path: Path) -> None:
    good = Tweet(
        id="a1", text="btc!", created_at="2024-01-01T00:00:00.000Z", followers=3, keywords=["stale"], source="elsewhere"
    )
    data = jsonl(
        good.to_dict(),  # 1
        {"id": "a2", "text": "ETH"},  # 2: no created_at -> replay time
        {"id": "a3"},  # 3: no text
        [1, 2, 3],  # 4
        b"\xff\xfe not utf-8\n",  # 5
        {"id": "a6", "text": "doge", "followers": -1},  # 6
        {"v": 2, "id": "a7", "text": "x"},  # 7
    )
    tweets, source = read(write(tmp_path / "records.jsonl", data))
    assert source.format == "jsonl"
    assert [t.id for t in tweets] == ["a1", "a2"]
    assert tweets[0].created_at == "2024-01-01T00:00:00.000Z"
    assert tweets[0].followers == 3
    assert tweets[0].keywords == ["bitcoin"]  # matched again, so custom keyword groups apply
    assert tweets[0].source == "replay:jsonl"
    assert tweets[1].created_at is not None and ISO.match(tweets[1].created_at)
    assert skipped_lines(source) == [3, 4, 5, 6, 7]
    reasons = dict(source.skipped.examples)
    assert reasons[3].startswith("missing-text")
    assert reasons[4] == "not a JSON object (list)"
    assert reasons[5] == "not UTF-8"
    assert reasons[6].startswith("bad-followers")
    assert reasons[7].startswith("unknown-version")


@pytest.mark.unit
def test_custom_matcher(tmp_path: Path) -> None:
    path = write(tmp_path / "r.jsonl", jsonl({"id": "1", "text": "SOL and btc"}))
    tweets, _ = read(path, matcher=KeywordMatcher({"solana": ["sol"]}))
    assert tweets[0].keywords == ["solana"]


# -- gzip ---------------------------------------------------------------------------------------
@pytest.mark.unit
def test_gzip_is_transparent(tmp_path: Path) -> None:
    data = jsonl({"id": "1", "text": "btc"}, b"{bad\n", {"id": "3", "text": "eth"})
    for name in ("records.jsonl.gz", "no_extension"):
        path = write(tmp_path / name, gzip.compress(data))
        tweets, source = read(path)
        assert source.format == "jsonl"
        assert [t.id for t in tweets] == ["1", "3"]
        assert skipped_lines(source) == [2]
    csv_path = write(tmp_path / "entity.csv.gz", gzip.compress(b"1,e,s,btc\n2,e,s,eth\n"))
    assert [t.id for t in ReplaySource(csv_path)] == ["1-1", "2-2"]


@pytest.mark.unit
def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    lines = [orjson.dumps({"id": str(i), "text": f"btc {i} " + "x" * 200}) + b"\n" for i in range(2000)]
    whole = gzip.compress(b"".join(lines))
    path = write(tmp_path / "cut.jsonl.gz", whole[: len(whole) // 2])
    tweets, source = read(path)
    assert 0 < len(tweets) < 2000
    assert [t.id for t in tweets] == [str(i) for i in range(len(tweets))]
    assert source.skipped.count == 1
    line, reason = source.skipped.examples[0]
    assert line == len(tweets) + 1 or line == len(tweets) + 2  # the line being read, maybe a partial one
    assert "ends early or is corrupt" in reason


# -- looping ------------------------------------------------------------------------------------
@pytest.mark.unit
def test_loop_makes_ids_unique_and_restamps(tmp_path: Path) -> None:
    data = jsonl(
        {"id": "1", "text": "btc", "created_at": "2020-01-01T00:00:00Z"},
        b"oops\n",
        {"id": "2", "text": "eth", "created_at": "2020-01-01T00:00:01Z"},
    )
    source = ReplaySource(write(tmp_path / "loop.jsonl", data), loop=True)
    tweets = list(islice(source, 5))
    assert [t.id for t in tweets] == ["1", "2", "1-r2", "2-r2", "1-r3"]
    assert [t.created_at for t in tweets[:2]] == ["2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z"]
    assert all(t.created_at is not None and not t.created_at.startswith("2020") for t in tweets[2:])
    assert source.skipped.count == 1  # bad rows are reported once, not once per pass
    entity = ReplaySource(write(tmp_path / "loop.csv", "5,e,s,doge\n"), loop=True)
    assert [t.id for t in islice(entity, 3)] == ["5-1", "5-1-r2", "5-1-r3"]


@pytest.mark.unit
def test_loop_over_a_file_without_readable_rows_ends(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", jsonl({"id": "1", "text": "btc"}))
    source = ReplaySource(path, loop=True)
    path.write_bytes(b"{broken\n")
    assert list(source) == []
    assert source.skipped.count == 1


# -- detection and errors -----------------------------------------------------------------------
@pytest.mark.unit
def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(write(tmp_path / "a.csv", "12,e,s,t\n")) == "kaggle-entity"
    assert detect_format(write(tmp_path / "b.csv", "\ufeff" + BITCOIN_HEADER)) == "kaggle-bitcoin"
    assert detect_format(write(tmp_path / "c", jsonl(v2_message("1", "x")))) == "x-v2-jsonl"
    assert detect_format(write(tmp_path / "d", jsonl({"id_str": "1", "text": "x", "user": {}}))) == "x-v1-jsonl"
    assert detect_format(write(tmp_path / "e", jsonl({"v": 1, "id": "1", "text": "x"}))) == "jsonl"
    # keep-alives, control messages and a broken line before the first tweet don't confuse it
    mixed = jsonl(b"\n", {"delete": {}}, b"{oops\n", {"id_str": "1", "text": "x"})
    assert detect_format(write(tmp_path / "f.jsonl", mixed)) == "x-v1-jsonl"
    # what --record keeps from Bluesky and Mastodon
    event = {"did": "did:plc:a", "time_us": 1, "kind": "commit", "commit": {}}
    assert detect_format(write(tmp_path / "g.jsonl", jsonl(event))) == "jetstream-jsonl"
    status = {"id": "1", "uri": "https://x.social/users/a/statuses/1", "content": "<p>x</p>", "account": {}}
    assert detect_format(write(tmp_path / "h.jsonl", jsonl(status))) == "mastodon-jsonl"
    assert set(FORMATS) == {
        "kaggle-entity",
        "kaggle-bitcoin",
        "x-v2-jsonl",
        "x-v1-jsonl",
        "jsonl",
        "jetstream-jsonl",
        "mastodon-jsonl",
    }


@pytest.mark.unit
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"a,b\n1,2\n", "--format kaggle-entity|kaggle-bitcoin|x-v2-jsonl|x-v1-jsonl|jsonl"),
        (b'{"hello": 1}\n', "--format"),
        (gzip.compress(b"")[:5], "can't read"),
    ],
)
def test_undetectable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = write(tmp_path / "mystery.dat", content)
    with pytest.raises(DatasetError, match=re.escape(expected)) as info:
        ReplaySource(path)
    assert "\n" not in str(info.value)


@pytest.mark.unit
def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"can't open dataset .*check the path"):
        ReplaySource(tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match="can't open dataset"):
        ReplaySource(tmp_path / "nope.csv", fmt="jsonl")
    with pytest.raises(DatasetError, match="can't open dataset"):
        ReplaySource(tmp_path)  # a folder
    with pytest.raises(ConfigError, match="unknown dataset format 'tsv'"):
        ReplaySource(write(tmp_path / "x.csv", "1,e,s,t\n"), fmt="tsv")


@pytest.mark.unit
def test_named_format_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "entity.csv", "1,e,s,btc\n2,e,s,eth\n")
    tweets, source = read(path, "jsonl")
    assert tweets == []
    assert skipped_lines(source) == [1, 2]
    with pytest.raises(DatasetError, match=r"no 'text' column.*--format"):
        list(ReplaySource(path, "kaggle-bitcoin"))


@pytest.mark.unit
def test_time_helpers() -> None:
    assert iso_utc("2021-02-10 23:59:04") == "2021-02-10T23:59:04Z"
    assert iso_utc("2021-02-10T23:59:04.120Z") == "2021-02-10T23:59:04.120Z"
    assert iso_utc("2021-02-10T23:59:04.120+02:00") == "2021-02-10T21:59:04.120Z"
    assert iso_utc("2021-02-10") == "2021-02-10T00:00:00Z"
    assert iso_utc("yesterday") is None
    assert iso_utc("") is None
    assert iso_utc(None) is None
    assert twitter_time("Wed Oct 10 20:19:24 +0000 2018") == "2018-10-10T20:19:24Z"
    assert twitter_time("Wed Oct 10 20:19:24 -0500 2018") == "2018-10-11T01:19:24Z"
    assert twitter_time("Wed Foo 10 20:19:24 +0000 2018") is None
    assert twitter_time(12) is None


@pytest.mark.unit
def test_byte_order_mark_and_oversized_csv_field(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    records = jsonl({"id": "1", "text": "btc"}, {"id": "2", "text": "x"})
    tweets, source = read(write(tmp_path / "bom.jsonl", bom + records))
    assert [t.id for t in tweets] == ["1", "2"] and source.skipped.count == 0
    tweets, source = read(write(tmp_path / "bom.csv", bom + b"7,e,s,eth\n"))
    assert [t.id for t in tweets] == ["7-1"]
    huge = b'8,e,s,"' + b"x" * 200_000 + b'"\n'
    tweets, source = read(write(tmp_path / "huge.csv", b"7,e,s,eth\n" + huge + b"9,e,s,doge\n"), "kaggle-entity")
    assert [t.id for t in tweets] == ["7-1", "9-3"]
    assert skipped_lines(source) == [2]
    assert source.skipped.examples[0][1] == "the row has 200,009 characters, more than a row may have (20,000)"


# -- close --------------------------------------------------------------------------------------
@pytest.mark.unit
def test_close_ends_the_iteration_and_closes_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "loop.jsonl", jsonl({"id": "1", "text": "btc"}, {"id": "2", "text": "eth"}))
    source = ReplaySource(path, loop=True)
    opened: list[object] = []
    real_open = source.open_stream

    def spy() -> object:
        stream = real_open()
        opened.append(stream)
        return stream

    monkeypatch.setattr(source, "open_stream", spy)
    tweets = iter(source)
    assert [t.id for t in islice(tweets, 3)] == ["1", "2", "1-r2"]

    source.close()
    source.close()  # twice is fine

    assert next(tweets, None) is None  # the endless loop ended
    assert len(opened) == 2 and all(getattr(stream, "closed", False) for stream in opened)
    assert [t.id for t in islice(source, 1)] == ["1-r3"]  # a new iteration carries on counting passes
