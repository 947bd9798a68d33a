"""The spec language: YAML files → a validated `DesiredState`.

Entry point: `kadmin.spec.load.load_specs` (and `load.schema` for the JSON Schema).
This package imports only `kadmin.model`, `kadmin.errors` and `kadmin.topic_configs`
from kadmin; it never prints and never talks to a cluster.
"""
