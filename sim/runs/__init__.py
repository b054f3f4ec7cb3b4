"""Running and keeping runs: one pure run and replications over executors (:mod:`.runner`), the
worker processes they run in (:mod:`.pool`), each replication's sampled world (:mod:`.worlds`),
results folders written whole (:mod:`.store`, :mod:`.folders`) and where they came from
(:mod:`.provenance`).

Imports the model's layer only; analysis, reports and the interfaces build on it.
"""
