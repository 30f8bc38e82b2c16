"""Monitoring: the version an alias points at, checked on fresh data for drift and decay.

`check.py` brings the parts together for one model: the batch (`batch.py`), the alias holder
(`holder.py`), its quality on the batch against what it recorded (`decay.py`), the batch against its
training data (`drift.py`); `result.py` is what a check found, `history.py` where it is kept, and
`render.py` and `prometheus.py` how it is shown.
"""
