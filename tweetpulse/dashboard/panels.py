"""Small views the tick refreshes: headline cards, label shares, health, status, table rows, classify.

Plain functions from numbers to Dash components (or table rows), so they can be tested directly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from tweetpulse.dashboard.theme import (
    LABEL_COLOURS,
    compact,
    milliseconds,
    signed,
    tone,
)
from tweetpulse.live.aggregates import COUNT, NEG, NEU, POLARITY, POS, SCORE, AuthorEntry, Bucket
from tweetpulse.scorers.scoring import Scorer, score_tweet

TEXT_SHOWN = 180  # characters of a tweet shown in the latest-tweets table
RATE_SPAN = 10  # seconds over which the cards' tweets/s and the health panel's consumed/s are averaged
RATE_TITLE = f"tweets stored per second, averaged over the last {RATE_SPAN} s (the chart shows each second)"


def shares(total: Bucket) -> tuple[float, float, float]:
    """Percent positive, negative, neutral of a bucket (zeros when empty)."""
    count = total[COUNT]
    if not count:
        return 0.0, 0.0, 0.0
    return 100 * total[POS] / count, 100 * total[NEG] / count, 100 * total[NEU] / count


def fixed(value: float, digits: int) -> str:
    """``+0.250`` / ``-1.30``; ``0.00`` for anything that rounds to zero (no ``-0.00``)."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def card_values(total: Bucket, rate: float, last_minute: float) -> dict[str, Any]:
    """The moving parts of one headline card, by the suffix of their element id / property."""
    count = int(total[COUNT])
    score = total[SCORE]
    mean = total[POLARITY] / count if count else 0.0
    pos, neg, neu = shares(total)
    a, b = pos, pos + neu
    return {
        "rate.children": f"{rate:,.1f}/s · last {RATE_SPAN} s",
        "value.children": signed(score),
        "value.className": f"tp-card-value {tone(score)}",
        "minute.children": signed(last_minute),
        "minute.className": tone(last_minute),
        "count.children": f"{count:,} tweets · mean polarity {fixed(mean, 3)}",
        "shares.children": f"pos {pos:.0f}% · neg {neg:.0f}% · neu {neu:.0f}%" if count else "",
        "split.style": {
            "background": (
                f"linear-gradient(90deg, {LABEL_COLOURS['positive']} {a:.1f}%, {LABEL_COLOURS['neutral']} {a:.1f}% "
                f"{b:.1f}%, {LABEL_COLOURS['negative']} {b:.1f}%)"
            )
            if count
            else "#e2e8f0"
        },
    }


def share_values(total: Bucket) -> dict[str, str]:
    """The three boxes under the pie: percent and count of each label."""
    pos, neg, neu = shares(total)
    out: dict[str, str] = {}
    for label, pct, n in (("positive", pos, total[POS]), ("negative", neg, total[NEG]), ("neutral", neu, total[NEU])):
        out[f"share-{label}-pct.children"] = f"{pct:.1f}%"
        out[f"share-{label}-count.children"] = f"{label} · {int(n):,}"
    return out


def latency_pair(p50: float, p99: float) -> str:
    """``45 · 69 ms`` (seconds in, one unit out), ``—`` before any latency is known."""
    if not math.isfinite(p50) or not math.isfinite(p99):
        return "—"
    return f"{milliseconds(p50).removesuffix(' ms')} · {milliseconds(p99)}"


def metric(name: str, value: str = "", ident: str | None = None, cls: str = "") -> html.Div:
    """A small labelled number (health panel, classify result)."""
    bold = html.B(value, className=cls, id=ident) if ident else html.B(value, className=cls)
    return html.Div([html.Span(name), bold], className="tp-metric")


HEALTH_KEYS = (
    "health-consumed.children",
    "health-stored.children",
    "health-latency.children",
    "health-dead.children",
    "health-dead.className",
    "health-duplicates.children",
    "health-lag.children",
    "health-lag.className",
    "health-lag-detail.children",
    "health-alerts.children",
)
ALERT_KEYS = ("store", "source")  # a probe's one-line warnings (see tweetpulse.dashboard.health), in this order
ALERT_CHARS = 300
WORKER_KEYS = ("health-workers.children", "health-workers.className")


def health_values(
    *,
    consumed_rate: float,
    stored: int,
    duplicates: int,
    dead: int,
    p50: float,
    p99: float,
    sample: Mapping[str, Any],
    show_workers: bool,
) -> dict[str, Any]:
    """The health panel's values, by element id / property (see :data:`HEALTH_KEYS`)."""
    out: dict[str, Any] = {
        "health-consumed.children": f"{consumed_rate:,.0f} /s",
        "health-stored.children": f"{stored:,}",
        "health-latency.children": latency_pair(p50, p99),
        "health-dead.children": f"{dead:,}",
        "health-dead.className": "down" if dead else "",
        "health-duplicates.children": f"{duplicates:,}",
    }
    if show_workers:
        alive, started = sample.get("workers_alive"), sample.get("workers")
        out["health-workers.children"] = "…" if alive is None else f"{alive} / {started}"
        out["health-workers.className"] = "" if alive is None else "up" if alive == started else "down"
    lag = sample.get("lag")
    detail: list[Any]
    if isinstance(lag, Mapping) and lag:
        total = sum(lag.values())
        out["health-lag.children"] = f"{total:,}"
        out["health-lag.className"] = "down" if total > 10_000 else ""
        detail = ["per partition: ", *(html.Span(f"p{p} {lag[p]:,}") for p in sorted(lag))]
    else:
        out["health-lag.className"] = ""
        if sample.get("lag_error") or sample.get("error"):
            out["health-lag.children"] = "n/a"
            detail = [f"lag unavailable: {sample.get('lag_error') or sample.get('error')}"]
        elif "lag" in sample:
            out["health-lag.children"] = "n/a"
            detail = ["the topic has no partitions yet"]
        elif show_workers or sample:
            out["health-lag.children"] = "…"
            detail = []
        else:
            out["health-lag.children"] = "—"
            detail = ["give --group (and the Kafka settings) to see the consumer lag"]
    out["health-lag-detail.children"] = detail
    out["health-alerts.children"] = alerts(sample)
    return out


def alerts(sample: Mapping[str, Any]) -> list[Any]:
    """One line per thing the pipeline waits for (the store, the source), from the health sample."""
    lines = []
    for key in ALERT_KEYS:
        text = sample.get(key)
        if isinstance(text, str) and text:
            lines.append(html.Div(text[:ALERT_CHARS], className="tp-alert", id=f"health-alert-{key}"))
    return lines


def status(last_second: int | None, now: float, notice: str | None = None) -> tuple[str, str]:
    """The header's live indicator: its CSS class and its text (``notice``: what holds the data back)."""
    clock = time.strftime("%H:%M:%S", time.gmtime(now))
    if notice:
        return "tp-status stale", f"{notice} · {clock} UTC"
    if last_second is None:
        return "tp-status", f"waiting for tweets · {clock} UTC"
    age = max(0.0, now - last_second - 1)
    if age <= 5:
        return "tp-status live", f"live · {clock} UTC"
    return "tp-status stale", f"no new tweets for {_ago(age)} · {clock} UTC"


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def latest_row(tweet: Mapping[str, Any]) -> dict[str, Any]:
    """A stored tweet as a row of the latest-tweets table (formatted strings, text shortened)."""
    text = str(tweet.get("text") or "").replace("\n", " ")
    if len(text) > TEXT_SHOWN:
        text = text[: TEXT_SHOWN - 1].rstrip() + "…"
    followers = tweet.get("followers")
    scored_at = tweet.get("scored_at")
    author = tweet.get("author")
    return {
        "time": time.strftime("%H:%M:%S", time.gmtime(scored_at)) if scored_at else "",
        "author": f"@{author}" if author else "—",
        "followers": f"{followers:,}" if followers is not None else "—",
        "text": text,
        "polarity": fixed(tweet.get("polarity") or 0.0, 3),
        "score": fixed(tweet.get("score") or 0.0, 2),
        "label": tweet.get("label", ""),
    }


def influencer_rows(top: Sequence[tuple[str, AuthorEntry]]) -> list[dict[str, Any]]:
    rows = []
    for rank, (author, entry) in enumerate(top, 1):
        abs_sum, net, tweets, followers = entry
        rows.append(
            {
                "rank": rank,
                "author": f"@{author}",
                "followers": compact(followers),
                "tweets": int(tweets),
                "influence": f"{abs_sum:,.1f}",
                "net": signed(net),
                "net_value": round(net, 3),
            }
        )
    return rows


def classify(scorer: Scorer, text: object, followers: object, max_chars: int) -> dict[str, Any]:
    """Score a user's text exactly as the listener does: ``ok`` plus the numbers, or a ``message``
    (also for a text or follower count of the wrong type: the server takes nothing on trust)."""
    if text is not None and not isinstance(text, str):
        return {"ok": False, "message": "The text must be a string of characters."}
    text = text or ""
    if not text.strip():
        return {"ok": False, "message": "Type something first — a tweet about Bitcoin, Ethereum or Dogecoin, say."}
    if len(text) > max_chars:
        return {"ok": False, "message": f"That's {len(text):,} characters; the box takes up to {max_chars:,}."}
    count: int | None = None
    if followers is not None and followers != "":
        try:
            value = float(followers)  # type: ignore[arg-type]  # a list or a dict raises TypeError
        except (TypeError, ValueError, OverflowError):
            return {"ok": False, "message": "Followers must be a whole number (or leave it empty)."}
        if not math.isfinite(value) or value < 0 or value > 1e12:
            return {"ok": False, "message": "Followers must be a whole number between 0 and a trillion."}
        count = int(value)
    return {"ok": True, **score_tweet(scorer, text, count)._asdict(), "followers": count, "scorer": scorer.name}


def classify_view(result: Mapping[str, Any]) -> html.Div | html.Span:
    if not result.get("ok"):
        return html.Span(result.get("message", ""), className="tp-hint", id="classify-message")
    label = result["label"]
    followers = result["followers"]
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [html.Span("label"), html.B(label, className=f"tp-badge {label}", id="classify-label")],
                        className="tp-metric",
                    ),
                    metric("polarity", f"{result['polarity']:+.4f}", "classify-polarity", tone(result["polarity"])),
                    metric("subjectivity", f"{result['subjectivity']:.4f}"),
                    metric("weight", f"{result['weight']:.3f}"),
                    metric("score", f"{result['score']:+.4f}", cls=tone(result["score"])),
                ],
                className="tp-result-grid",
            ),
            html.Div(
                ("weight = ln(followers + 1) with " + f"{followers:,} followers")
                if followers is not None
                else "no follower count given: weight 1 (as for a tweet whose followers are unknown)",
                className="tp-hint",
                style={"marginTop": "6px"},
            ),
            html.Div(f"scorer: {result['scorer']}", className="tp-hint", id="classify-scorer"),
        ]
    )
