"""`kadmin ui`: a local, read-only web view of the cluster beside the spec.

Server-rendered pages (starlette, jinja2) over the same read models as `kadmin zones`,
`topics`, `describe topic`, `groups`, `plan` and `drift`; each page has a JSON twin that is
the document the command prints with ``-o json``. Only `kadmin.cli` imports this package,
and only when `kadmin ui` runs.
"""
