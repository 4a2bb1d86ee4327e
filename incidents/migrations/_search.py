"""The SQLite search table over the incidents and the triggers that keep it (migration 0005,
and incidents.apps after every migrate). Not a migration: its name starts with an underscore."""

FIELDS = ("reference", "title", "public_title", "summary", "tracking_terms")
TABLE = "incidents_incident_search"
COLUMNS = ", ".join(FIELDS)
NEW = ", ".join(f"new.{f}" for f in FIELDS)
OLD = ", ".join(f"old.{f}" for f in FIELDS)
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5({COLUMNS}, "
    "content='incidents_incident', content_rowid='id')"
)
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON incidents_incident BEGIN
        INSERT INTO {TABLE}(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END""",
    f"""CREATE TRIGGER {TABLE}_delete AFTER DELETE ON incidents_incident BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD}); END""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {COLUMNS} ON incidents_incident BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
        INSERT INTO {TABLE}(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END""",
]
