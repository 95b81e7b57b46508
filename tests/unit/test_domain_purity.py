"""domain/ holds the rules only: importing it must not pull in Flask or SQLAlchemy."""

from __future__ import annotations

import ast
from pathlib import Path

import inspect_app.domain

FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "jinja2")


def test_domain_imports_neither_flask_nor_sqlalchemy() -> None:
    offenders = []
    for path in Path(inspect_app.domain.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
