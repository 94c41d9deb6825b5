"""A consumed Kafka message's headers as a dict, for the tests that read dead-letter reasons."""

from __future__ import annotations

from confluent_kafka import Message


def message_headers(message: Message) -> dict[str, bytes]:
    """``{key: value}`` of ``message``'s headers (``{}`` when it has none; a null value reads as ``b""``).

    A consumed message carries a list of ``(key, bytes)`` pairs; confluent-kafka's type also allows the
    dict and ``str`` values that ``produce()`` accepts, so those are taken too.
    """
    headers = message.headers() or []
    pairs = headers.items() if isinstance(headers, dict) else headers
    return {key: value.encode() if isinstance(value, str) else value or b"" for key, value in pairs}
