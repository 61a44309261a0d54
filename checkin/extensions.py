"""The bare extension objects; the app factory binds them with init_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Integer, MetaData
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.schema import CreateTable

# Named constraints let Alembic alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@compiles(CreateTable, "sqlite")
def _ids_are_never_reused(create, compiler, **kw):
    """SQLite: every integer id is AUTOINCREMENT, wherever the table is created.

    Without it SQLite gives a new row max(id)+1, so deleting the newest row frees its id
    for the next one, and an id that left the server (in a cookie, a URL, an export) would
    name someone else. Applied here, not per model, so tables Alembic's batch mode
    re-creates (which it reflects without this option) keep it too.
    """
    table = create.element
    primary = list(table.primary_key.columns)
    if len(primary) == 1 and isinstance(primary[0].type, Integer):
        table.dialect_options["sqlite"]["autoincrement"] = True
    return compiler.visit_create_table(create, **kw)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
