"""Keyword groups: matching rules, the command-line spec and config files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import DEFAULT_GROUPS, KeywordMatcher, load_groups, parse_groups, resolve_groups


@pytest.mark.unit
def test_default_groups() -> None:
    assert DEFAULT_GROUPS == {
        "bitcoin": ("bitcoin", "btc", "#bitcoin", "$btc"),
        "ethereum": ("ethereum", "eth", "ether", "$eth"),
        "dogecoin": ("dogecoin", "doge", "$doge"),
    }
    assert KeywordMatcher().names == ("bitcoin", "ethereum", "dogecoin")


@pytest.mark.unit
@pytest.mark.parametrize(
    "text",
    [
        "btc",
        "BTC",
        "$BTC",
        "#btc",
        "btc's rally",
        "I like (BTC).",
        "BTC, ETH",
        "a\nbtc\n",
        "Btc?",
        "@btc hi",
        "bitcoin.org",
        "#Bitcoin",
        "BITCOIN",
    ],
)
def test_bare_term_matches_word_with_or_without_prefix(text: str) -> None:
    assert KeywordMatcher().match(text)[0] == "bitcoin"


@pytest.mark.unit
@pytest.mark.parametrize(
    "text", ["btcusd", "abtc", "_btc", "btc_", "xbitcoin", "bitcoins", "bitcoin2", "eth2", "dogecoins"]
)
def test_no_match_inside_words(text: str) -> None:
    assert KeywordMatcher().match(text) == []


@pytest.mark.unit
def test_prefixed_terms_require_their_prefix() -> None:
    matcher = KeywordMatcher({"cash": ["$eth"], "tag": ["#bitcoin"]})
    assert matcher.match("$ETH pumps") == ["cash"]
    assert matcher.match("eth pumps") == []
    assert matcher.match("#eth pumps") == []
    assert matcher.match("#Bitcoin") == ["tag"]
    assert matcher.match("bitcoin") == []
    assert matcher.match("$bitcoin") == []
    assert matcher.match("a$eth") == []  # the prefix itself must start a word


@pytest.mark.unit
def test_results_in_group_order_without_duplicates() -> None:
    matcher = KeywordMatcher()
    assert matcher.match("DOGE and $doge beat Bitcoin, BTC and eth") == ["bitcoin", "ethereum", "dogecoin"]
    assert matcher.match("ether? $ETH! Ethereum.") == ["ethereum"]
    assert matcher.match("nothing to see here") == []


@pytest.mark.unit
def test_a_term_in_two_groups_counts_for_both() -> None:
    matcher = KeywordMatcher({"a": ["eth", "$eth"], "b": ["$eth"], "c": ["ether"]})
    assert matcher.match("$eth") == ["a", "b"]
    assert matcher.match("eth") == ["a"]
    assert matcher.match("ether") == ["c"]
    assert matcher.match("ether $eth") == ["a", "b", "c"]


@pytest.mark.unit
def test_longest_term_wins_at_a_position() -> None:
    matcher = KeywordMatcher({"short": ["bit"], "long": ["bitcoin cash"]})
    assert matcher.match("bitcoin cash") == ["long"]
    assert matcher.match("bit by bit") == ["short"]


@pytest.mark.unit
def test_match_returns_a_fresh_list() -> None:
    matcher = KeywordMatcher()
    first = matcher.match("btc")
    first.append("changed")
    assert matcher.match("btc") == ["bitcoin"]


@pytest.mark.unit
def test_terms_are_cleaned_and_groups_validated() -> None:
    matcher = KeywordMatcher({"Bitcoin": [" BTC ", "btc"]})
    assert matcher.groups == {"Bitcoin": ("btc",)}
    assert matcher.match("btc") == ["Bitcoin"]
    assert matcher.canonical("bitcoin") == "Bitcoin"
    assert matcher.canonical("nope") is None
    assert KeywordMatcher({}).match("btc") == []
    with pytest.raises(ConfigError, match="no terms"):
        KeywordMatcher({"bitcoin": []})
    with pytest.raises(ConfigError, match="empty term"):
        KeywordMatcher({"bitcoin": ["$"]})
    with pytest.raises(ConfigError, match="list of terms"):
        KeywordMatcher({"bitcoin": "btc"})


@pytest.mark.unit
def test_regex_special_characters_are_literal() -> None:
    matcher = KeywordMatcher({"plus": ["c++"], "dot": ["a.b"]})
    assert matcher.match("I write C++ daily") == ["plus"]
    assert matcher.match("axb") == []
    assert matcher.match("a.b") == ["dot"]


@pytest.mark.unit
def test_parse_groups() -> None:
    assert parse_groups("bitcoin=bitcoin,btc,$btc;ethereum=eth,ether") == {
        "bitcoin": ("bitcoin", "btc", "$btc"),
        "ethereum": ("eth", "ether"),
    }
    assert parse_groups(" sol = SOL , solana ; ") == {"sol": ("sol", "solana")}


@pytest.mark.unit
@pytest.mark.parametrize("spec", ["", " ; ", "bitcoin", "bitcoin=", "=btc", "bitcoin=btc;bitcoin=xbt", "b=,,", "b=$"])
def test_parse_groups_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_groups(spec)
    message = str(info.value)
    assert "\n" not in message
    assert "expected" in message or "term" in message


@pytest.mark.unit
def test_load_groups_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "keywords.toml"
    toml.write_text('[keywords]\nbitcoin = ["bitcoin", "btc"]\nsolana = ["sol", "$sol"]\n', encoding="utf-8")
    assert load_groups(toml) == {"bitcoin": ("bitcoin", "btc"), "solana": ("sol", "$sol")}
    json = tmp_path / "keywords.json"
    json.write_text('{"bitcoin": ["bitcoin", "btc"]}', encoding="utf-8")
    assert load_groups(str(json)) == {"bitcoin": ("bitcoin", "btc")}
    assert resolve_groups(str(json)) == {"bitcoin": ("bitcoin", "btc")}
    assert resolve_groups("x=y") == {"x": ("y",)}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("k.toml", "[other]\na = 1\n", "no keyword groups"),
        ("k.toml", "[keywords\n", "not valid TOML"),
        ("k.toml", '[keywords]\nbitcoin = "btc"\n', "list of strings"),
        ("k.json", "[1, 2]", "no keyword groups"),
        ("k.json", "{bad", "not valid JSON"),
        ("k.json", '{"bitcoin": [1]}', "terms must be strings"),
        ("k.json", '{"bitcoin": []}', "no terms"),
        ("k.yaml", "bitcoin: [btc]", "must end in .toml or .json"),
    ],
)
def test_load_groups_errors(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as info:
        load_groups(path)
    assert "\n" not in str(info.value)


@pytest.mark.unit
def test_load_groups_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="can't read keyword file"):
        load_groups(tmp_path / "nope.toml")
