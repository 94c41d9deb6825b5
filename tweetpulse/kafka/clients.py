"""Making confluent-kafka clients: a setting librdkafka rejects is a configuration error, not an outage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from confluent_kafka import KafkaError, KafkaException

from tweetpulse.errors import ConfigError

Client = TypeVar("Client")


def new_client(factory: Callable[[dict[str, Any]], Client], conf: dict[str, Any]) -> Client:
    """``factory(conf)`` (``Producer``, ``Consumer``, ``AdminClient``), or a :class:`ConfigError` that names
    the setting librdkafka rejected (an unknown property, a bad value, an unsupported mechanism).

    librdkafka checks its settings when the client is made, before it connects: so a wrong ``-X`` is
    reported at once and never mistaken for a broker that does not answer.
    """
    try:
        return factory(conf)
    except KafkaException as exc:
        err = exc.args[0] if exc.args else None
        if not isinstance(err, KafkaError) or err.code() != KafkaError._INVALID_ARG:
            raise
        raise ConfigError(
            f"a Kafka client setting is wrong: {err.str()}; fix or remove it in your -X / --kafka-config settings"
        ) from None
