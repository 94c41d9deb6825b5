"""The Kafka layer: :mod:`~tweetpulse.kafka.admin` (topics, readiness, consumer lag) and
:mod:`~tweetpulse.kafka.producer` (the tweet producer).

Client settings come from :class:`tweetpulse.config.KafkaConfig`; the listener's workers make their
own consumers (:mod:`tweetpulse.listener`).
"""
