"""The Kafka layer: admin (topics, readiness, lag), the tweet producer, the consumer settings."""
