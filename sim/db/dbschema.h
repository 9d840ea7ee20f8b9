/*
 * dbschema.h — the results database's schema as SQL: its tables
 * (CREATE TABLE IF NOT EXISTS, the columns of DB_SCHEMA_VERSION) and its
 * views, made once the columns are there.  Shared by metrics_open and the
 * build's database image (dbimage.h).
 */
#ifndef VFSSIM_DBSCHEMA_H
#define VFSSIM_DBSCHEMA_H

extern const char db_schema_sql[];
extern const char db_views_sql[];

#endif
