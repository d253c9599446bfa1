-- A repository's /simple/ list is read a page at a time in (namespace, normalized name) order. This index
-- covers that read (the package's id is the rowid, in every index): a page is a range of it with no lookup
-- of each row in the table, whose rows lie in insertion order, not name order (770 -> 250 ms for the whole
-- list of 100,000 packages; 11 -> 2 ms for its first page).
CREATE INDEX package_for_index ON package (repository_id, format, namespace, normalized_name, upstream);
