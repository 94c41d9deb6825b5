"""Sentiment analyzers behind ``--scorer``; :mod:`tweetpulse.scoring` is their public face."""
