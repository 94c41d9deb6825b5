"""The Kafka layer: :mod:`~tweetpulse.kafka.admin` (topics, readiness, consumer lag),
:mod:`~tweetpulse.kafka.producer` (the tweet producer), :mod:`~tweetpulse.kafka.consumer` (a
listener worker's group member) and :mod:`~tweetpulse.kafka.logs` (librdkafka's log lines, an
outage told once).

Client settings come from :class:`tweetpulse.kafka.config.KafkaConfig`; the listener's workers make their
own consumers (:mod:`tweetpulse.pipeline.listener`).
"""
