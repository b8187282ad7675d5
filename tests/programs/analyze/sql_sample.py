def queries(cursor, table, name, value):
    cursor.execute("SELECT * FROM " + table + " WHERE name = '" + name + "'")
    query = "DELETE FROM %s WHERE id = %d" % (table, value)
    cursor.execute("UPDATE {} SET a = 1".format(table))
    cursor.execute(f"INSERT INTO {table} VALUES ({value})")
    other = "select a from b where c = {}".replace("{}", name)
    cursor.execute("SELECT 1")
    return query, other
