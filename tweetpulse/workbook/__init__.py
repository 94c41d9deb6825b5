"""The offline workbook: loading the store into pandas, charts, labeled datasets, evaluation, training,
and the helpers the notebooks call."""
