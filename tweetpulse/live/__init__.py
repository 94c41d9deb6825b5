"""What the live page shows, folded as tweets are scored: per-group series, top tweets and authors, the
group cap. Pure data, no Dash: the listener and the store follower fill it, the page reads it."""

# how often the page asks for news, in milliseconds. A tweet shows at the first tick after its batch is
# folded, so this adds up to one step to produce → visible; benchmarks/README.md measures the trade-off
# against the server time each tick costs. With the measured fold p99 of ~0.18 s, 250 ms keeps produce →
# visible p99 under issue 23's 0.5 s target (0.63 s measured at 500 ms), for ~3 ms of server time per tick.
DEFAULT_REFRESH_MS = 250
