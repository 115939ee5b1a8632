"""The Flask app: search page, entry pages, JSON API and admin, over one data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from flask import Flask

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
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from . import admin, api, errors, pages, scheduler, services

    services.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    admin.init_app(app)
    scheduler.init_app(app)
    return app
