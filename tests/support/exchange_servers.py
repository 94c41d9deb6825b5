"""Local stand-ins for the exchanges' public websockets, on 127.0.0.1: Coinbase Exchange
(``ws-feed.exchange.coinbase.com``) and Kraken v2 (``ws.kraken.com/v2``).

Both are real websocket servers (the ``websockets`` package) that speak the exchange's protocol as its
docs describe it:

- a client that sends no subscription within ``subscribe_within`` seconds (5, as Coinbase) is
  disconnected (a close frame with code 1008), and so is one whose first message is not a subscribe;
- **Coinbase**: ``{"type": "subscribe", "product_ids", "channels"}`` → ``{"type": "subscriptions",
  "channels": [...]}``, or ``{"type": "error", "message": "Failed to subscribe", "reason": …}`` and a
  close for an unknown product; ``heartbeat`` messages (``sequence``, ``last_trade_id``,
  ``product_id``, ``time``) between the ticks;
- **Kraken**: the ``status`` greeting; ``{"method": "subscribe", "params": {"channel": "ticker",
  "symbol": [...]}, "req_id"}`` → one ``{"method": "subscribe", "success": true, "result": {...}}`` per
  symbol, or ``"success": false, "error": "Currency pair not supported …"``; ``{"channel":
  "heartbeat"}`` between the ticks.

What each connection does is planned (:class:`Plan`): it starts at timeline position ``start`` (so a
reconnect can re-send ticks the client already had, as the real feeds' snapshots do), sends ``count``
frames (None: all that are left), then ``"hold"`` (heartbeats until the client leaves), ``"close"`` (a
close frame), ``"drop"`` (the TCP connection cut, no close frame) or ``"mute"`` (open, silent). A
frame given as ``bytes`` is sent verbatim (a malformed one). Helpers build real-looking messages:
:func:`coinbase_ticker`, :func:`kraken_ticker`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection

from tests.support.websocket_server import ServedSocket

T0 = "2026-12-06T01:00:00"


def coinbase_ticker(product: str, price: str, second: int, sequence: int, trade_id: int) -> dict[str, Any]:
    """A ``ticker`` message as Coinbase sends it (every decimal a string)."""
    return {
        "type": "ticker",
        "sequence": sequence,
        "product_id": product,
        "price": price,
        "open_24h": "61000.00",
        "volume_24h": "12345.67890123",
        "low_24h": "60000.01",
        "high_24h": "62000.00",
        "volume_30d": "400000.1",
        "best_bid": price,
        "best_bid_size": "0.01",
        "best_ask": price,
        "best_ask_size": "0.02",
        "side": "buy",
        "time": f"{T0[:-2]}{second:02d}.{sequence % 1_000_000:06d}Z",
        "trade_id": trade_id,
        "last_size": "0.001",
    }


def kraken_ticker(symbol: str, last: float, second: int, kind: str = "update") -> dict[str, Any]:
    """A ``ticker`` message as Kraken v2 sends it (numbers as JSON numbers)."""
    return {
        "channel": "ticker",
        "type": kind,
        "data": [
            {
                "symbol": symbol,
                "bid": last - 0.1,
                "bid_qty": 0.5,
                "ask": last + 0.1,
                "ask_qty": 1.25,
                "last": last,
                "volume": 1234.5678,
                "vwap": last,
                "low": last - 100,
                "high": last + 100,
                "change": 12.3,
                "change_pct": 0.02,
                "timestamp": f"{T0[:-2]}{second:02d}.000000Z",
            }
        ],
    }


@dataclass
class Plan:
    start: int = 0
    count: int | None = None
    then: Literal["hold", "close", "drop", "mute"] = "hold"  # mute: stay open, send nothing at all


@dataclass
class _FakeExchange:
    frames: list[Any] = field(default_factory=list)  # the timeline after a subscription: dicts, or bytes
    plan: list[Plan] = field(default_factory=list)  # connection n follows plan[n] (else: all, then hold)
    products: tuple[str, ...] = ("BTC-USD", "ETH-USD", "DOGE-USD")  # what the exchange lists
    subscribe_within: float = 5.0
    heartbeat_every: float = 0.05  # seconds between heartbeats while holding, and between frames
    subscriptions: list[Any] = field(default_factory=list)  # what every connection sent first
    subscribe_delays: list[float] = field(default_factory=list)  # seconds from connect to subscribe
    dropped_for_silence: int = 0
    path: str = "/"
    _served: ServedSocket | None = None

    def __enter__(self) -> _FakeExchange:
        self._served = ServedSocket(self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._served is not None:
            self._served.stop()

    @property
    def url(self) -> str:
        assert self._served is not None
        return f"ws://127.0.0.1:{self._served.port}{self.path}"

    # -- the protocol (subclasses) --------------------------------------------------------------
    def greet(self, ws: ServerConnection) -> None:
        pass

    def answer(self, ws: ServerConnection, message: Any) -> bool:
        """Acknowledge (True) or refuse (False, having said why) a subscription."""
        raise NotImplementedError

    def heartbeat(self, n: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    # -- a connection ---------------------------------------------------------------------------
    def _handle(self, ws: ServerConnection) -> None:
        number = len(self.subscriptions)
        opened = time.monotonic()
        self.greet(ws)
        try:
            first = ws.recv(timeout=self.subscribe_within)
        except TimeoutError:
            self.dropped_for_silence += 1
            ws.close(1008, "no subscription within 5 seconds")
            return
        except ConnectionClosed:
            return
        self.subscribe_delays.append(time.monotonic() - opened)
        try:
            message = json.loads(first)
        except ValueError:
            message = first
        self.subscriptions.append(message)
        if not self.answer(ws, message):
            ws.close()
            return
        step = self.plan[number] if number < len(self.plan) else Plan()
        try:
            self._play(ws, step)
        except ConnectionClosed:
            return

    def _play(self, ws: ServerConnection, step: Plan) -> None:
        frames = self.frames[step.start :]
        if step.count is not None:
            frames = frames[: step.count]
        for n, frame in enumerate(frames):
            for beat in self.heartbeat(n):
                ws.send(json.dumps(beat))
            ws.send(frame.decode() if isinstance(frame, bytes) else json.dumps(frame))
            time.sleep(self.heartbeat_every / 5)
        if step.then == "drop":
            time.sleep(0.05)
            ws.socket.close()  # no close frame: the client sees the connection cut
            return
        if step.then == "close":
            ws.close()
            return
        if step.then == "mute":
            for _ in ws:  # until the client gives up on this connection
                pass
            return
        n = len(frames)
        while True:  # hold: heartbeats until the client goes away
            n += 1
            for beat in self.heartbeat(n):
                ws.send(json.dumps(beat))
            try:
                ws.recv(timeout=self.heartbeat_every)
            except TimeoutError:
                continue


@dataclass
class FakeCoinbase(_FakeExchange):
    """Coinbase Exchange's market-data feed (see the module docs)."""

    wanted: list[str] = field(default_factory=list)  # the last subscription's products

    def answer(self, ws: ServerConnection, message: Any) -> bool:
        if not isinstance(message, dict) or message.get("type") != "subscribe":
            ws.send(json.dumps({"type": "error", "message": "Failed to subscribe", "reason": "type is required"}))
            return False
        wanted = message.get("product_ids") or []
        unknown = [p for p in wanted if p not in self.products]
        if unknown:
            reason = f"{unknown[0]} is not a valid product"
            ws.send(json.dumps({"type": "error", "message": "Failed to subscribe", "reason": reason}))
            return False
        channels = [{"name": c, "product_ids": wanted, "account_ids": None} for c in message.get("channels", [])]
        ws.send(json.dumps({"type": "subscriptions", "channels": channels}))
        self.wanted = list(wanted)
        return True

    def heartbeat(self, n: int) -> list[dict[str, Any]]:
        return [
            {"type": "heartbeat", "last_trade_id": n, "product_id": p, "sequence": n, "time": f"{T0}.000000Z"}
            for p in self.wanted
        ]


@dataclass
class FakeKraken(_FakeExchange):
    """Kraken's websocket v2 (see the module docs)."""

    path: str = "/v2"

    def greet(self, ws: ServerConnection) -> None:
        ws.send(
            json.dumps(
                {
                    "channel": "status",
                    "type": "update",
                    "data": [{"version": "2.0.10", "system": "online", "api_version": "v2", "connection_id": 1}],
                }
            )
        )

    def answer(self, ws: ServerConnection, message: Any) -> bool:
        params = message.get("params") if isinstance(message, dict) else None
        if not isinstance(params, dict) or message.get("method") != "subscribe":
            ws.send(json.dumps({"error": "Unsupported event", "success": False}))
            return False
        ok = False  # Kraken keeps the connection for the symbols it took
        for symbol in params.get("symbol", []):
            answer: dict[str, Any] = {"method": "subscribe", "req_id": message.get("req_id"), "success": True}
            if symbol.replace("/", "-") in self.products:
                answer["result"] = {"channel": "ticker", "snapshot": True, "symbol": symbol, "event_trigger": "trades"}
                ok = True
            else:
                answer.update(success=False, error=f"Currency pair not supported {symbol}", symbol=symbol)
            ws.send(json.dumps({**answer, "time_in": f"{T0}.000000Z", "time_out": f"{T0}.000100Z"}))
        return ok

    def heartbeat(self, n: int) -> list[dict[str, Any]]:
        return [{"channel": "heartbeat"}]
