"""Replay rows past the limits: follower counts beyond 64 bits, CSV records that swallow their neighbours."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.support.replay_files import BITCOIN_HEADER
from tweetpulse.records import MAX_FOLLOWERS, Tweet
from tweetpulse.sources.fields import count, followers_problem
from tweetpulse.sources.lines import MAX_RECORD_LINES
from tweetpulse.sources.replay import ReplaySource

HUGE = 2**64 + 5
BITCOIN_ROW = "{user},Earth,bio,2009-01-03 18:15:05,{followers},10,5,False,2021-02-10 23:59:04,{text},[],Web,False\n"


def replay(path: Path, data: bytes | str, fmt: str | None = None) -> tuple[list[Tweet], ReplaySource]:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    source = ReplaySource(path, fmt)
    tweets = list(source)
    for tweet in tweets:
        tweet.to_json()  # every record can go on the wire (orjson refuses ints over 64 bits)
    return tweets, source


def reasons(source: ReplaySource) -> dict[int, str]:
    return dict(source.skipped.examples)


# -- follower counts over 2**63 - 1 --------------------------------------------------------------
@pytest.mark.unit
def test_count_keeps_huge_values_for_followers_problem_to_refuse() -> None:
    assert count(str(HUGE)) == MAX_FOLLOWERS + 1  # more digits than any int64: over, unconverted
    assert count(str(MAX_FOLLOWERS)) == MAX_FOLLOWERS
    assert count("9" * 5000) == MAX_FOLLOWERS + 1  # no 5000-digit conversion (Python refuses those)
    assert count("0" * 30 + "12") == 12
    assert count("²") is None  # a digit to str.isdigit, not to int()
    assert count(1e30) == int(1e30)
    assert followers_problem(MAX_FOLLOWERS) is None and followers_problem(None) is None
    assert followers_problem(MAX_FOLLOWERS + 1) == "follower count over 2**63 - 1 (not a real count)"


@pytest.mark.unit
@pytest.mark.parametrize("followers", [str(HUGE), "1e30", "9" * 5000])
def test_kaggle_bitcoin_row_with_a_huge_follower_count_is_one_skipped_row(tmp_path: Path, followers: str) -> None:
    data = (
        BITCOIN_HEADER
        + BITCOIN_ROW.format(user="alice", followers="10", text="btc up")
        + BITCOIN_ROW.format(user="mallory", followers=followers, text="btc down")
        + BITCOIN_ROW.format(user="bob", followers="12", text="eth up")
    )
    tweets, source = replay(tmp_path / "bitcoin.csv", data)
    assert [t.author for t in tweets] == ["alice", "bob"]
    assert reasons(source) == {3: "follower count over 2**63 - 1 (not a real count)"}


@pytest.mark.unit
@pytest.mark.parametrize("followers", [HUGE, 1e30])
def test_x_v1_status_with_a_huge_follower_count_is_one_skipped_row(tmp_path: Path, followers: float) -> None:
    def status(i: int, count: float) -> bytes:
        return orjson.dumps({"id_str": str(i), "text": "btc", "user": {"screen_name": f"u{i}"}})[:-1] + (
            b',"user":{"screen_name":"u%d","followers_count":%s}}\n' % (i, str(count).encode())
        )

    tweets, source = replay(tmp_path / "v1.jsonl", status(1, 5) + status(2, followers) + status(3, 7), "x-v1-jsonl")
    assert [t.id for t in tweets] == ["1", "3"]
    assert [t.followers for t in tweets] == [5, 7]
    assert reasons(source) == {2: "follower count over 2**63 - 1 (not a real count)"}


@pytest.mark.unit
def test_x_v2_tweet_with_a_huge_follower_count_is_one_skipped_row(tmp_path: Path) -> None:
    def message(i: int, followers: int) -> bytes:
        return (
            b'{"data":{"id":"%d","text":"btc","author_id":"9"},"includes":{"users":[{"id":"9","username":"s",'
            b'"public_metrics":{"followers_count":%d}}]}}\n' % (i, followers)
        )

    tweets, source = replay(tmp_path / "v2.jsonl", message(1, 5) + message(2, HUGE) + message(3, 7), "x-v2-jsonl")
    assert [t.id for t in tweets] == ["1", "3"]
    assert reasons(source) == {2: "follower count over 2**63 - 1 (not a real count)"}


# -- CSV records that swallow their neighbours ---------------------------------------------------
def entity_rows(first: int, n: int) -> str:
    return "".join(f"{i},Bitcoin,Positive,good row {i} about btc\n" for i in range(first, first + n))


@pytest.mark.unit
def test_an_unterminated_quote_loses_no_row_and_says_how_far_it_ran(tmp_path: Path) -> None:
    data = entity_rows(1, 3) + '4,Bitcoin,Negative,"a stray quote\n' + entity_rows(5, 10_001)
    tweets, source = replay(tmp_path / "entity.csv", data, "kaggle-entity")
    assert len(tweets) == 3 + 10_001
    assert [t.id for t in tweets[2:5]] == ["3-3", "5-5", "6-6"]
    assert tweets[-1].id == "10005-10005"
    assert source.skipped.count == 1
    line, reason = source.skipped.examples[0]
    assert line == 4
    covered = MAX_RECORD_LINES + 1
    assert reason == (
        f"a quote opened on this line never closed: the row ran on over {covered} lines "
        f"(to line {4 + covered - 1}); lines 5-{4 + covered - 1} were read again"
    )
    assert "1 row(s) skipped in" in source.skipped.report(str(tmp_path / "entity.csv"))


@pytest.mark.unit
def test_a_quote_open_at_the_end_of_the_file_gives_its_lines_back(tmp_path: Path) -> None:
    data = entity_rows(1, 2) + '3,Bitcoin,Negative,"a stray quote\n' + entity_rows(4, 20)
    tweets, source = replay(tmp_path / "entity.csv", data, "kaggle-entity")
    assert [t.id for t in tweets] == ["1-1", "2-2", *(f"{i}-{i}" for i in range(4, 24))]
    assert reasons(source) == {
        3: "a quote opened on this line never closed: the row ran on over 21 lines to the "
        "end of the file; lines 4-23 were read again"
    }


@pytest.mark.unit
def test_a_stray_quote_closed_by_a_later_one_gives_the_lines_between_back(tmp_path: Path) -> None:
    # the stray quote on line 2 pairs with the opening quote of line 6: one record of lines 2-6
    # with too many fields; lines 3-6 are read again, and line 6 is then a good row of its own
    data = (
        entity_rows(1, 1)
        + '2,Bitcoin,Negative,"stray\n'
        + entity_rows(3, 3)
        + '6,Bitcoin,Positive,"quoted, with a comma"\n'
        + entity_rows(7, 1)
    )
    tweets, source = replay(tmp_path / "entity.csv", data, "kaggle-entity")
    assert [t.id for t in tweets] == ["1-1", "3-3", "4-4", "5-5", "6-6", "7-7"]
    assert tweets[4].text == "quoted, with a comma"
    assert list(reasons(source)) == [2]
    assert "lines 2-6 (a stray quote?); lines 3-6 were read again" in reasons(source)[2]


@pytest.mark.unit
def test_a_stray_quote_closed_with_the_right_column_count_is_still_caught(tmp_path: Path) -> None:
    """The stray quote of line 11 pairs with the quote that opens line 40's text: the record of lines
    11-40 has exactly 4 fields, so the column check let it through and one tweet held 30 rows."""
    data = entity_rows(1, 10) + '11,Bitcoin,Negative,"stray\n' + entity_rows(12, 28) + '40,Bitcoin,Positive,"quoted"\n'
    data += entity_rows(41, 60)
    tweets, source = replay(tmp_path / "entity.csv", data, "kaggle-entity")
    assert [t.id for t in tweets] == [f"{i}-{i}" for i in range(1, 101) if i != 11]
    assert all("\n" not in t.text for t in tweets)
    assert list(reasons(source)) == [11]
    assert "lines 12-40 look like rows of their own" in reasons(source)[11]
    assert "lines 12-40 were read again" in reasons(source)[11]


@pytest.mark.unit
def test_kaggle_bitcoin_stray_quote_closed_with_the_right_column_count(tmp_path: Path) -> None:
    rows = [BITCOIN_ROW.format(user=f"u{i}", followers=i, text=f"btc {i}") for i in range(2, 60)]
    rows[3] = rows[3].replace("btc 5", '"btc 5')  # line 5 opens a quote in its text
    rows[20] = rows[20].replace("btc 22", '"btc 22"')  # line 22's quoted text closes it: still 13 fields
    tweets, source = replay(tmp_path / "bitcoin.csv", BITCOIN_HEADER + "".join(rows))
    assert [t.author for t in tweets] == [f"u{i}" for i in range(2, 60) if i != 5]
    assert list(reasons(source)) == [5]


@pytest.mark.unit
def test_kaggle_bitcoin_stray_quote(tmp_path: Path) -> None:
    rows = [BITCOIN_ROW.format(user=f"u{i}", followers=i, text=f"btc {i}") for i in range(2, 300)]
    rows[3] = rows[3].replace("btc 5", '"btc 5')  # line 5
    tweets, source = replay(tmp_path / "bitcoin.csv", BITCOIN_HEADER + "".join(rows))
    assert [t.author for t in tweets] == [f"u{i}" for i in range(2, 300) if i != 5]
    assert list(reasons(source)) == [5]


@pytest.mark.unit
def test_legitimate_multi_line_texts_still_read(tmp_path: Path) -> None:
    text = "\n".join(f"line {i}" for i in range(MAX_RECORD_LINES - 1))
    data = entity_rows(1, 1) + f'2,Bitcoin,Positive,"{text}"\n' + entity_rows(3 + MAX_RECORD_LINES - 2, 1)
    tweets, source = replay(tmp_path / "entity.csv", data, "kaggle-entity")
    assert [t.text for t in tweets][1] == text
    assert len(tweets) == 3 and source.skipped.count == 0
