"""Mastodon, live and free: public statuses by hashtag over a WebSocket, SSE or polling."""
