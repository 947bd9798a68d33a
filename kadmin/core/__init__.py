"""The vocabulary every layer shares: errors, values, targets, actions, the plan, durations and
Kafka's config catalog.

Imports nothing of kadmin's outside `core`, and nothing that does I/O.
"""
