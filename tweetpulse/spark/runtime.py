"""What ``tweetpulse spark`` runs on: pyspark and the Kafka connector's jars that ``make spark`` installs.

``make spark`` (``scripts/spark-setup.sh``) installs the pyspark pinned in ``requirements-spark.txt``
into the virtualenv and fetches ``spark-sql-kafka-0-10`` with the dependencies pyspark lacks from
Maven Central, once, into ``.spark/jars`` (``scripts/spark/pom.xml``). :func:`connector_jars` finds
them (``TWEETPULSE_SPARK_JARS`` names another folder) and checks they were built for the installed
Spark; the session gets them as ``spark.jars``, so nothing is resolved with Ivy at run time. A
``--conf spark.jars=…`` or ``spark.jars.packages=…`` of the user's own replaces them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tweetpulse.errors import ConfigError

JARS_ENV = "TWEETPULSE_SPARK_JARS"
CONNECTOR = re.compile(r"^spark-sql-kafka-0-10_2\.13-(?P<version>[0-9][^/]*)\.jar$")
SETUP_HINT = "run `make spark` in the tweetpulse checkout"


def default_jars_dir() -> Path:
    """``.spark/jars`` of the checkout this package runs from (``make spark`` fills it)."""
    return Path(__file__).resolve().parents[2] / ".spark" / "jars"


def jars_dir() -> Path:
    return Path(os.environ.get(JARS_ENV) or default_jars_dir())


def spark_version() -> str:
    """The installed pyspark's version; a :class:`ConfigError` saying how to install it when there is none."""
    try:
        import pyspark
    except ImportError:
        raise ConfigError(f"pyspark is not installed: {SETUP_HINT} (it installs the pinned pyspark)") from None
    return str(pyspark.__version__)


def connector_jars(folder: Path | None = None, version: str | None = None) -> list[Path]:
    """The jars of ``folder`` (default :func:`jars_dir`), checked to hold the Kafka connector built for
    Spark ``version`` (default: the installed one)."""
    folder = folder or jars_dir()
    version = version or spark_version()
    jars = sorted(folder.glob("*.jar")) if folder.is_dir() else []
    found = [m.group("version") for m in (CONNECTOR.match(j.name) for j in jars) if m]
    if not found:
        raise ConfigError(
            f"the Spark Kafka connector is not in {folder}: {SETUP_HINT} (or set {JARS_ENV}, or pass "
            "--conf spark.jars.packages=org.apache.spark:spark-sql-kafka-0-10_2.13:VERSION)"
        )
    if version not in found:
        raise ConfigError(
            f"{folder} holds the Kafka connector for Spark {', '.join(found)}, but pyspark is {version}: "
            f"{SETUP_HINT} again to fetch the matching one"
        )
    return jars
