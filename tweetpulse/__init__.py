"""tweetpulse: live crypto-tweet sentiment through Kafka onto a Dash page."""

__version__ = "0.1.0"
