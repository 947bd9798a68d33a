"""The web application of `kadmin ui`: read-only pages and their JSON twins.

Every route is a GET. A page renders in full, or only its live part when htmx asks for it
(``?partial=1``): the live part carries the interval of its next refresh, which the server
lengthens while reads are slow or failing (`pages.next_every`). A JSON twin answers the
document the matching command prints with ``-o json`` (the same render function), or, when
the read failed, an error document (`_json` says which status).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kadmin.core.errors import ClusterError, KadminError, SpecError
from kadmin.core.model import ClusterState
from kadmin.kafka.port import ClusterAdmin
from kadmin.ops.inspect import (
    TopicsView,
    describe_group,
    describe_topic,
    read_groups,
    read_topics,
    select_topics,
)
from kadmin.plan.zones import ZoneReport, zone_report
from kadmin.render.drift import drift_document
from kadmin.render.inspect import (
    group_detail_document,
    groups_document,
    topic_detail_document,
    topics_document,
)
from kadmin.render.json import plan_document
from kadmin.render.zones import zones_document
from kadmin.web import pages
from kadmin.web.reads import Read, Source

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""No inline script or style, nothing from elsewhere: names from the cluster are untrusted text."""

_SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("kadmin.web", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Group names may hold '/', '?' or '#': every path segment is quoted whole.
    env.filters["segment"] = lambda text: quote(str(text), safe="")
    return Jinja2Templates(env=env)


def build_app(source: Source, *, host: str = "127.0.0.1") -> Starlette:
    """The application over `source`; bound to a loopback `host`, it answers loopback names only
    (a page of another site cannot reach it by DNS rebinding)."""
    templates = _templates()
    ui = _Pages(source, templates)
    routes: Sequence[BaseRoute] = [
        Route("/", ui.cluster, name="cluster"),
        Route("/topics", ui.topics, name="topics"),
        Route("/topics/{name}", ui.topic, name="topic"),
        Route("/groups", ui.groups, name="groups"),
        Route("/groups/{name:path}", ui.group, name="group"),
        Route("/plan", ui.plan, name="plan"),
        Route("/json/cluster", ui.cluster_json),
        Route("/json/topics", ui.topics_json),
        Route("/json/topics/{name}", ui.topic_json),
        Route("/json/groups", ui.groups_json),
        Route("/json/groups/{name:path}", ui.group_json),
        Route("/json/plan", ui.plan_json),
        Route("/json/drift", ui.drift_json),
        Mount("/static", app=StaticFiles(packages=[("kadmin.web", "static")]), name="static"),
    ]
    hosts = [*LOOPBACK, f"{host}"] if host in LOOPBACK else ["*"]
    return Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts), Middleware(_SecurityHeaders)],
    )


class _SecurityHeaders:
    """Adds `_SECURITY_HEADERS` to every HTTP response (a pure ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in _SECURITY_HEADERS.items():
                    headers[key] = value
            await send(message)

        await self.app(scope, receive, with_headers)


def _zones(admin: ClusterAdmin) -> tuple[ClusterState, ZoneReport]:
    observed = admin.snapshot()
    return observed, zone_report(observed)


class _Pages:
    """The endpoints. Plain functions: starlette runs them in its thread pool, as reads block."""

    def __init__(self, source: Source, templates: Jinja2Templates) -> None:
        self.source = source
        self.templates = templates

    # --- pages -----------------------------------------------------------------------

    def cluster(self, request: Request) -> Response:
        read = self.source.read(_zones)
        context = pages.cluster_context(*read.value) if read.value else {}
        return self._page(request, "cluster", "Cluster", context, [read])

    def topics(self, request: Request) -> Response:
        read = self.source.read(lambda admin: self._topics(request, admin))
        spec = self.source.read_specs()
        context = {"match": request.query_params.get("match", ""), "internal": _internal(request)}
        if read.value is not None:
            context |= pages.topics_context(read.value, spec.value if spec else None)
        return self._page(request, "topics", "Topics", context, [read, spec])

    def topic(self, request: Request) -> Response:
        name = request.path_params["name"]
        read = self.source.read(lambda admin: describe_topic(admin, name))
        spec = self.source.read_specs()
        context: dict[str, Any] = {"name": name}
        if read.value is not None:
            context |= pages.topic_context(read.value, spec.value if spec else None)
        return self._page(request, "topic", f"Topic {name}", context, [read, spec])

    def groups(self, request: Request) -> Response:
        read = self.source.read(read_groups)
        context = pages.groups_context(read.value) if read.value is not None else {}
        return self._page(request, "groups", "Consumer groups", context, [read])

    def group(self, request: Request) -> Response:
        name = request.path_params["name"]
        read = self.source.read(lambda admin: describe_group(admin, name))
        context: dict[str, Any] = {"name": name}
        if read.value is not None:
            context |= pages.group_context(read.value)
        return self._page(request, "group", f"Group {name}", context, [read])

    def plan(self, request: Request) -> Response:
        spec = self.source.read_specs()
        context: dict[str, Any] = {"specs": [str(p) for p in self.source.specs]}
        if spec is not None and spec.value is not None:
            context |= pages.plan_context(spec.value)
        return self._page(request, "plan", "Plan", context, [spec])

    def _topics(self, request: Request, admin: ClusterAdmin) -> TopicsView:
        found = pages.pattern(request.query_params.get("match", ""))
        view = read_topics(admin)
        kept = select_topics(view.topics, match=found, internal=_internal(request))
        return TopicsView(view.cluster_id, view.zones, kept)

    def _page(
        self,
        request: Request,
        page: str,
        title: str,
        context: dict[str, Any],
        reads: Sequence[Read[Any] | None],
    ) -> Response:
        done = [r for r in reads if r is not None]
        errors = [_banner(r.error) for r in done if r.error is not None]
        every = pages.next_every(
            _int(request.query_params.get("every")),
            failed=bool(errors),
            slow=any(r.seconds > pages.SLOW_READ_S for r in done),
            base=pages.BASE_EVERY_S if page in ("groups", "group") else pages.SLOW_PAGE_EVERY_S,
        )
        kept = {
            k: v
            for k, v in request.query_params.items()
            if k not in ("partial", "every", "match", "internal")
        }
        # Quoted again: a group name may hold '?', '#' or '%', which would end or change the path.
        path = quote(request.scope["path"], safe="/")
        live_url = f"{path}?{urlencode({**kept, 'partial': 1, 'every': every})}"
        # The twin of a page is the same path under /json, with the same filters.
        filters = {k: v for k, v in request.query_params.items() if k in ("match", "internal") and v}
        json_url = (
            "/json" + (path if path != "/" else "/cluster") + (f"?{urlencode(filters)}" if filters else "")
        )
        context = {
            **context,
            "page": page,
            "title": title,
            "errors": errors,
            "every": every,
            "live_url": live_url,
            "json_url": json_url,
            "with_specs": bool(self.source.specs),
            "environment": self.source.environment,
        }
        partial = request.query_params.get("partial") == "1"
        return self.templates.TemplateResponse(request, "live.html" if partial else "page.html", context)

    # --- JSON twins ------------------------------------------------------------------

    def cluster_json(self, request: Request) -> Response:
        return _json(self.source.read(lambda admin: zones_document(*_document_of_zones(admin))))

    def topics_json(self, request: Request) -> Response:
        return _json(self.source.read(lambda admin: topics_document(self._topics(request, admin))))

    def topic_json(self, request: Request) -> Response:
        name = request.path_params["name"]
        return _json(
            self.source.read(lambda admin: topic_detail_document(describe_topic(admin, name))), missing=404
        )

    def groups_json(self, request: Request) -> Response:
        return _json(self.source.read(lambda admin: groups_document(read_groups(admin))))

    def group_json(self, request: Request) -> Response:
        name = request.path_params["name"]
        return _json(
            self.source.read(lambda admin: group_detail_document(describe_group(admin, name))), missing=404
        )

    def plan_json(self, request: Request) -> Response:
        spec = self.source.read_specs()
        if spec is None:
            return _no_specs()
        return _json(Read(plan_document(spec.value.planned.plan), None, 0) if spec.value else spec)

    def drift_json(self, request: Request) -> Response:
        spec = self.source.read_specs()
        if spec is None:
            return _no_specs()
        return _json(Read(drift_document(spec.value.drift), None, 0) if spec.value else spec)


def _document_of_zones(admin: ClusterAdmin) -> tuple[ZoneReport, str]:
    observed, report = _zones(admin)
    return report, observed.cluster_id


def _internal(request: Request) -> bool:
    return request.query_params.get("internal") in ("1", "on", "true")


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def _banner(err: KadminError) -> dict[str, Any]:
    problems = err.problems if isinstance(err, SpecError) else [err]
    return {
        "title": "Cannot read the cluster" if isinstance(err, ClusterError) else "Cannot show this",
        "problems": [(str(p.where or ""), p.message, p.hint) for p in problems],
    }


def _json(read: Read[Any], *, missing: int = 422) -> Response:
    """The document, or the error: 503 when the cluster could not be read, else `missing` (404 for
    one topic or group the cluster does not have; 422 for a bad filter or spec)."""
    if read.error is None:
        return JSONResponse(read.value)
    err = read.error
    status = 503 if isinstance(err, ClusterError) else missing
    problems = err.problems if isinstance(err, SpecError) else [err]
    document = {
        "error": [{"where": str(p.where or ""), "message": p.message, "hint": p.hint} for p in problems]
    }
    return JSONResponse(document, status_code=status)


def _no_specs() -> Response:
    hint = "start kadmin ui with the spec files or directories: kadmin ui specs/"
    return JSONResponse({"error": [{"where": "", "message": "no spec given", "hint": hint}]}, status_code=404)
