"""Tweet sources: each yields :class:`tweetpulse.models.Tweet` records for the streamer."""
