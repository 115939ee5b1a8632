"""The Flask app: search page, entry pages, JSON API and admin, over one data folder."""

from __future__ import annotations

import os
from typing import Mapping

from flask import Flask

from . import config as settings


def create_app(test_config: Mapping | None = None, environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app: defaults, the data folder's config.py, the environment, then `test_config`."""
    environ = os.environ if environ is None else environ
    test_config = dict(test_config or {})
    folder = settings.data_dir(test_config.get("DATA_DIR"), environ)
    app = Flask(__name__, instance_path=str(folder), instance_relative_config=True)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment(environ))
    app.config.update(test_config)
    app.config["DATA_DIR"] = str(folder)
    app.config["ANSWER_CACHE"] = settings.answer_cache_size(app.config["ANSWER_CACHE"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(folder)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # The signed cookie is refused past this age, whatever the browser keeps.
        PERMANENT_SESSION_LIFETIME=int(app.config["ADMIN_SESSION_SECONDS"]),
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from . import admin, api, errors, headers, pages, services

    services.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    admin.init_app(app)
    return app
