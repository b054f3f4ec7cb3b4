"""The engine: many runs of one model advanced a year at a time, together (issue 25).

A :class:`~sim.engine.batch.Batch` holds R models (:class:`sim.model.alliance.AllianceModel`)
of one structure: the same years, allies and knock-out switches. :func:`sim.engine.year.step`
advances all of them one year, phase by phase in the model's order, and
:func:`sim.engine.lockstep.run_jobs` runs a batch of replications to their end. One model's own
``step()`` is the batch of one: there is one implementation of the year.

Every model keeps its own random stream (its ``rng``, seeded from its replication's seed), and a
phase draws from each model's stream in the order that model alone would, so a run's tables are
identical whatever the batch it is advanced in (tested: ``tests/test_engine.py``). A phase is
written over the batch where that pays (its state stacked as arrays of shape (R, allies), the
rules applied once), and per model elsewhere; which phases are batched is listed in
:mod:`sim.engine.year`.
"""
