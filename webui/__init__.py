"""The Flask app: search page, entry pages, JSON API and admin, over one data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings


def create_app(test_config: Mapping | None = None, environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app: defaults, the data folder's config.py, the environment, then `test_config`
    (webui/config.py's `load`, as the CLI reads them)."""
    config = settings.load(environ=environ, overrides=test_config)
    folder = Path(config["DATA_DIR"])
    app = Flask(__name__, instance_path=str(folder), instance_relative_config=True)
    app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(folder)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # The signed cookie is refused past this age, whatever the browser keeps.
        PERMANENT_SESSION_LIFETIME=int(app.config["ADMIN_SESSION_SECONDS"]),
    )
    app.session_interface = _CookieSessions()
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    proxies = app.config["PROXY_FIX_X_FOR"]
    if proxies:  # the client's address as the trusted proxies saw it: what the throttle counts
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from . import (admin, api, cite, errors, export, feeds, headers, httpcache, pages, scheduler,
                   services)

    looked_up = None
    if app.config["METRICS"]:
        from . import metrics  # loads prometheus_client only when asked for

        metrics.init_app(app)  # first, so its timing starts before a 304 can end the request
        looked_up = metrics.answer_looked_up
    services.init_app(app, answer_looked_up=looked_up)
    httpcache.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(cite.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(feeds.bp)
    admin.init_app(app)
    scheduler.init_app(app)
    return app


class _CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions (the admin's), without building the cookie's signer for
    a request that carries no session cookie: every search. The same session either way."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
