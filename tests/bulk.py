"""Bulk fixtures that stay valid whatever modules are installed: rows
inserted by SQL copy every column they do not set from a template row made
through the ORM (the NOT NULL columns and defaults that sale, stock, point of
sale... require of a partner or an order), so a test database with more
modules (``scripts/test.sh`` installs point_of_sale, hence stock) accepts
them as it accepts the ORM's."""


def insert_like(cr, table, template_id, columns, rows_sql, params):
    """Insert into ``table`` one row per row of ``rows_sql`` (a SELECT of
    ``columns``, in that order), every other column copied from the row
    ``template_id``. ``rows_sql`` gives each row an ordinal after
    ``columns``: the new ids are returned in that order."""
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = %s
        """,
        (table,),
    )
    copied = [
        name for (name,) in cr.fetchall() if name != "id" and name not in columns
    ]
    cr.execute(
        """
        WITH new_rows ({columns}, ordinal) AS ({rows_sql}),
             inserted AS (
                INSERT INTO {table} ({columns}, {copied})
                SELECT {new_columns}, {template_columns}
                  FROM new_rows, {table} template
                 WHERE template.id = %(template_id)s
                 ORDER BY new_rows.ordinal
                RETURNING id)
        SELECT id FROM inserted ORDER BY id
        """.format(
            rows_sql=rows_sql,
            table=table,
            columns=", ".join(columns),
            copied=", ".join(copied),
            new_columns=", ".join("new_rows.%s" % name for name in columns),
            template_columns=", ".join("template.%s" % name for name in copied),
        ),
        dict(params, template_id=template_id),
    )
    return [row[0] for row in cr.fetchall()]
