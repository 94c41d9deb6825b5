"""Topics, readiness and consumer lag, through confluent-kafka's AdminClient."""

from __future__ import annotations

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from tweetpulse.errors import KafkaUnavailable
from tweetpulse.kafka.clients import new_client
from tweetpulse.kafka.config import DEFAULT_PARTITIONS, KafkaConfig
from tweetpulse.kafka.probe import refused_locally

START_HINT = (
    "start one with ./kafka-setup.sh start (or make kafka), "
    "or point KAFKA_BOOTSTRAP_SERVERS / --bootstrap-servers at yours (--kafka-timeout S sets the wait)"
)


def _admin(config: KafkaConfig) -> AdminClient:
    return new_client(AdminClient, config.client_conf())


def wait_ready(config: KafkaConfig, timeout: float | None = None) -> list[str]:
    """Block until the cluster answers a metadata request (at most ``timeout`` seconds, by default the
    config's ``timeout``); return its topic names. A rejected client setting is a ConfigError at once."""
    timeout = config.timeout if timeout is None else timeout
    admin = _admin(config)  # first: a rejected client setting is a ConfigError, not an outage
    closed = refused_locally(config.bootstrap_servers)
    if closed is not None:
        raise KafkaUnavailable(f"no Kafka is listening at {closed} (connection refused); {START_HINT}")
    try:
        meta = admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        raise KafkaUnavailable(
            f"Kafka at {config.bootstrap_servers} did not answer within {timeout:g}s "
            f"({exc.args[0].str()}); {START_HINT}"
        ) from None
    return sorted(meta.topics)


def ensure_topics(config: KafkaConfig, partitions: int = DEFAULT_PARTITIONS, timeout: float | None = None) -> None:
    """Create the tweets topic, its dead-letter topic and its status topic if they don't exist (idempotent)."""
    timeout = config.timeout if timeout is None else timeout
    existing = set(wait_ready(config, timeout))
    wanted = [
        NewTopic(config.topic, num_partitions=partitions, replication_factor=-1),
        NewTopic(config.dlq_topic, num_partitions=1, replication_factor=-1),
        NewTopic(config.status_topic, num_partitions=1, replication_factor=-1, config={"cleanup.policy": "compact"}),
    ]
    missing = [t for t in wanted if t.topic not in existing]
    if not missing:
        return
    admin = _admin(config)  # keep the client alive until the futures resolve
    for topic, future in admin.create_topics(missing, operation_timeout=timeout).items():
        try:
            future.result(timeout)
        except KafkaException as exc:
            err: KafkaError = exc.args[0]
            if err.code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise KafkaUnavailable(
                    f"could not create topic {topic}: {err.str()}; check your rights on the cluster"
                ) from None


def partition_count(config: KafkaConfig, timeout: float | None = None) -> int | None:
    """How many partitions the tweets topic has (``None`` when the cluster does not say)."""
    timeout = config.timeout if timeout is None else timeout
    try:
        topic = _admin(config).list_topics(config.topic, timeout=timeout).topics.get(config.topic)
    except KafkaException:
        return None
    if topic is None or topic.error is not None:
        return None
    return len(topic.partitions)


class LagProbe:
    """Messages not yet committed by ``group``, per partition of the tweets topic.

    Called every few seconds by the page's health sampler, so it keeps one client (made on first
    use) instead of connecting anew each time.
    """

    def __init__(self, config: KafkaConfig, group: str, timeout: float = 5.0) -> None:
        self.config = config
        self.group = group
        self.timeout = timeout
        self._client: Consumer | None = None

    def __call__(self, uncommitted_at_end: bool = False) -> dict[int, int]:
        """Per partition, the messages after the group's committed offset. A partition the group has
        not committed is counted from its start, or with ``uncommitted_at_end`` (a group that starts
        from the latest offset) as 0: such a member begins at the end."""
        if self._client is None:
            conf = self.config.client_conf(**{"group.id": self.group, "enable.auto.commit": False})
            self._client = new_client(Consumer, conf)
        client, topic, timeout = self._client, self.config.topic, self.timeout
        meta = client.list_topics(topic, timeout=timeout)
        partitions = [TopicPartition(topic, p) for p in sorted(meta.topics[topic].partitions)]
        lag: dict[int, int] = {}
        for tp in client.committed(partitions, timeout=timeout):
            low, high = client.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=timeout)
            start = tp.offset if tp.offset >= 0 else high if uncommitted_at_end else low
            lag[tp.partition] = max(high - start, 0)
        return lag

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
