"""Copy this file to twitter_credentials.py (git-ignored) and fill in your X API v2 bearer token.

Or set the environment variable X_BEARER_TOKEN instead; it wins over this file.
The filtered stream needs an app attached to a Project with the right access level;
`tweetpulse stream --source x --x-mode poll` uses recent search instead.
"""

BEARER_TOKEN = ""
