"""The runtime pipeline: a source's tweets onto the topic (streamer, pacing), the topic into the store and
the page (listener, worker, settings, dead letters), and the demo that runs all of it in one process."""
