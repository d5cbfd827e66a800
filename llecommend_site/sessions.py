"""Database sessions read with one plain SQL statement.

Every signed-in request loads its session first. Django's database store builds an ORM query
for it each time, which costs several times what the database takes to answer; this store
reads the same row (same table, same expiry rule) directly and writes like Django's own."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        sql = (
            f"SELECT session_data FROM {connection.ops.quote_name(model._meta.db_table)} "
            "WHERE session_key = %s AND expire_date > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
