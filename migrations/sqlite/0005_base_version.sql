-- The data version of the last import: edits of activities and volunteer needs bump only
-- `data_version`, so a server can reload just them and keep the rest of its snapshot.
INSERT INTO meta (key, value) SELECT 'base_version', value FROM meta WHERE key = 'data_version';
