-- Watched areas: the definition as the API took it (JSON: a circle or a GeoJSON Polygon), by name.
CREATE TABLE areas (
    name       TEXT    NOT NULL PRIMARY KEY,
    definition TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
