"""``python -m tweetpulse.cli``: the ``tweetpulse`` command."""

import sys

from tweetpulse.cli import main

if __name__ == "__main__":
    sys.exit(main())
