"""Bluesky, live and free: posts from a Jetstream relay, follower counts from the AppView."""
