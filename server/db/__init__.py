"""Server storage: SQLAlchemy models on one shared ``Base``, the :class:`Database` and migrations."""

from server.db.base import Base, UTCDateTime, utcnow
from server.db.database import DEFAULT_URL, Database, connect, default_url

__all__ = ["DEFAULT_URL", "Base", "Database", "UTCDateTime", "connect", "default_url", "utcnow"]
