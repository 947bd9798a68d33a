"""The spec language: YAML files → a validated `DesiredState`.

Entry point: `kadmin.spec.load.load_specs` (and `load.schema` for the JSON Schema);
specs/README-spec.md documents the language for users. From kadmin this package
imports only pure modules (`model`, `errors`, `kafka_configs` of core, and its own `offsets_csv`); it never
prints and never talks to a cluster.
"""
