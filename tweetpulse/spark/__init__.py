"""``tweetpulse spark``: the listener's job on Spark Structured Streaming, for users who already run Spark.

The query reads the tweets topic with Spark's Kafka source (``spark-sql-kafka-0-10``) and, in
``foreachBatch``, hands each micro-batch's partitions to the Python workers as Arrow batches
(``mapInArrow``). There each message goes through the listener's own code: the record rule
(:func:`tweetpulse.records.record_fields`), the ``--scorer`` scorer (built once per Python worker,
scoring each batch in one call), the dead-letter topic
(:class:`tweetpulse.pipeline.deadletter.DeadLetterTopic`, the same reason headers) and the store
(:func:`tweetpulse.stores.open_store`, ``insert`` ignoring ids already stored). Only counts come
back to the driver.

Modules: :mod:`~tweetpulse.spark.partitions` (what runs in the Python workers),
:mod:`~tweetpulse.spark.job` (the driver: session, query, idle exit, summary),
:mod:`~tweetpulse.spark.runtime` (pyspark and the connector's jars from ``make spark``);
the command is :mod:`tweetpulse.cli.spark`. ``docs/spark.md`` says when to use it.
"""
