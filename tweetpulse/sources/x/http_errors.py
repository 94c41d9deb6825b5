"""What X's error answers mean, in one line that says what to do (401 bad token, 403
``client-not-enrolled`` or access level, 429 rate limit or ``UsageCapExceeded``, ...)."""

from __future__ import annotations

from typing import Any

import tweepy

from tweetpulse.errors import SourceError
from tweetpulse.secrets import redact
from tweetpulse.sources.x.credentials import CREDENTIALS_FILE, TOKEN_ENV
from tweetpulse.sources.x.session import json_or_none

_REPLAY_HINT = "replay a dataset with --source replay"


def first_problem(body: Any) -> dict[str, Any]:
    """The first problem object of an error body (v2 problem, ``errors[0]``, or v1.1 style)."""
    if not isinstance(body, dict):
        return {}
    if "title" in body or "reason" in body or "detail" in body:
        return body
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0]
    return {}


def describe(status: int, body: Any) -> str:
    """``429 TooManyConnections: detail``: the status with the problem's title and detail."""
    problem = first_problem(body)
    title = problem.get("connection_issue") or problem.get("title") or problem.get("message")
    detail = problem.get("detail")
    parts = [str(status)]
    if title:
        parts.append(str(title))
    text = " ".join(parts)
    if detail and detail != title:
        text += f": {detail}"
    return redact(text)  # an echoing server or proxy may quote the request's Authorization header


def is_usage_cap(body: Any) -> bool:
    """Whether the answer says the Project's monthly tweet cap is used up."""
    problem = first_problem(body)
    return problem.get("title") == "UsageCapExceeded" or "usage-capped" in str(problem.get("type", ""))


def explain_http_error(status: int, body: Any, what: str = "the X API") -> str:
    """A one-line cause-and-fix for an error answer from X (``body`` = the decoded JSON)."""
    problem = first_problem(body)
    if status == 401:
        return f"X rejected the bearer token (401 Unauthorized): check {TOKEN_ENV} / {CREDENTIALS_FILE}"
    if status == 403:
        if problem.get("reason") == "client-not-enrolled":
            if "stream" in what:  # X answers the same when the Project's level lacks the endpoint
                return (
                    "your X app is not attached to a Project with v2 access (client-not-enrolled): attach it in "
                    "the developer portal (the filtered stream also needs the Pro level; with Basic use "
                    f"--x-mode poll), or {_REPLAY_HINT}"
                )
            return (
                "your X app is not attached to a Project with v2 access (client-not-enrolled): "
                f"attach it in the developer portal, or {_REPLAY_HINT}"
            )
        return (
            f"X refused access to {what} ({describe(status, body)}): your access level may not include it "
            f"(the filtered stream needs Pro, recent search Basic); try --x-mode poll, or {_REPLAY_HINT}"
        )
    if status == 429:
        if is_usage_cap(body):
            return (
                f"your X Project's monthly tweet cap is used up ({describe(status, body)}): wait for the reset "
                f"or raise the plan; meanwhile {_REPLAY_HINT}"
            )
        return f"rate limited by X on {what} ({describe(status, body)})"
    if status == 400:
        return f"X rejected the request to {what} ({describe(status, body)}): check the keyword groups"
    return f"X answered {what} with an error ({describe(status, body)})"


def http_error(exc: tweepy.HTTPException, what: str) -> SourceError:
    """The :class:`SourceError` for an error tweepy raised on a call to ``what``."""
    response = exc.response
    return SourceError(explain_http_error(response.status_code, json_or_none(response.content), what))
