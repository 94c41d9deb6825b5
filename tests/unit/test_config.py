from __future__ import annotations

from pathlib import Path

import pytest

from tweetpulse.errors import ConfigError
from tweetpulse.kafka.config import KafkaConfig, default_bootstrap, parse_client_settings


def test_bootstrap_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    assert default_bootstrap() == "127.0.0.1:9092"
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker:29092")
    assert KafkaConfig().bootstrap_servers == "broker:29092"


def test_user_settings_win_and_file_is_read(tmp_path: Path) -> None:
    conf = tmp_path / "client.properties"
    conf.write_text("# comment\nsecurity.protocol=SASL_SSL\nsasl.mechanism = PLAIN\n\n")
    extra = parse_client_settings(["sasl.mechanism=SCRAM-SHA-512"], str(conf))
    assert extra == {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512"}
    k = KafkaConfig(bootstrap_servers="h:1", topic="t", extra=extra)
    assert k.client_conf(**{"acks": "all", "sasl.mechanism": "x"})["sasl.mechanism"] == "SCRAM-SHA-512"
    assert k.dlq_topic == "t.dlq"


@pytest.mark.parametrize("pair", ["nokey", "=value"])
def test_bad_pairs_say_what_to_do(pair: str) -> None:
    with pytest.raises(ConfigError, match="key=value"):
        parse_client_settings([pair])


def test_bad_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="can't read"):
        parse_client_settings([], str(tmp_path / "missing"))
    bad = tmp_path / "bad.properties"
    bad.write_text("ok=1\njunk\n")
    with pytest.raises(ConfigError, match=r"bad.properties:2"):
        parse_client_settings([], str(bad))
