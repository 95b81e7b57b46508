"""inspect_app: field inspection of Party-member model posts (党员示范岗)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Config → extensions → blueprints → cli → errors."""
    from . import cli, config, errors, htmx, i18n, params, security, tenancy
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .ballot.views import bp as ballot_bp
    from .database import configure_engine
    from .desk.views import bp as desk_bp
    from .evidence.views import bp as evidence_bp
    from .extensions import csrf, db, limiter, migrate
    from .field.views import bp as field_bp
    from .notices.views import bp as notices_bp
    from .notify.views import bp as notify_bp
    from .offline.views import bp as offline_bp
    from .org.views import bp as org_bp
    from .photos.views import bp as photos_bp
    from .plans.views import bp as plans_bp
    from .posts.views import bp as posts_bp
    from .public.views import bp as public_bp
    from .rankings.views import bp as rankings_bp
    from .rectifications.views import bp as rectifications_bp
    from .reviews.views import bp as reviews_bp
    from .rounds.views import bp as rounds_bp
    from .setup.views import bp as setup_bp
    from .standards.views import bp as standards_bp

    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load(app, test_config)
    params.init_app(app)  # before any blueprint: its routes' <int:…> are bounded

    db.init_app(app)
    group = config.group_mode(app)
    if group:  # a coal group's mines: the catalogue here, each mine's database chosen per request
        with app.app_context():
            db.engine.dispose()
        catalogue = tenancy.catalogue_engine(app)
        configure_engine(catalogue)
        tenancy.init_app(app, catalogue)
    else:
        with app.app_context():
            configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    htmx.init_app(app)
    security.init_app(app)

    if group:
        from .group.views import bp as group_bp

        tenancy.guard_areas(app)  # before any blueprint's own hooks: a mine's pages answer only in a mine
        app.register_blueprint(group_bp)
    for bp in (
        setup_bp,
        public_bp,
        auth_bp,
        desk_bp,
        posts_bp,
        field_bp,
        evidence_bp,
        ballot_bp,
        rounds_bp,
        plans_bp,
        reviews_bp,
        rankings_bp,
        standards_bp,
        admin_bp,
        photos_bp,
        notices_bp,
        notify_bp,
        offline_bp,
        rectifications_bp,
        org_bp,
        accounts_bp,
    ):
        app.register_blueprint(bp)
    cli.init_app(app)
    errors.init_app(app)
    if not app.testing:
        # what the app built (modules, mappers, compiled routes) lives as long as the process: moved out of
        # the collector's sight, a full collection no longer walks it (≈7 % of a sheet submit's CPU)
        gc.collect()
        gc.freeze()
    return app
