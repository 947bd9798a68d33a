"""Views of plans and apply results: human text, machine JSON, markdown for pull requests.

Renderers only show values the core computed; they never diff, decide or talk to
Kafka. `kadmin.plan` must not import this package.
"""
