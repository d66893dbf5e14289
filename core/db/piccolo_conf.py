"""The module Piccolo imports (``PICCOLO_CONF=core.db.piccolo_conf``).

Piccolo finds its engine and apps through module globals; :func:`core.runtime.Runtime.activate`
replaces them with the running process's engine and enabled apps before anything touches the
database, so this file is the single place that global state lives.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

DB = SQLiteEngine(path=":memory:")
APP_REGISTRY = AppRegistry(apps=["core.db.piccolo_app"])
