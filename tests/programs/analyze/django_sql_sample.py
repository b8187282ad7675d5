"""bandit's B610 (QuerySet.extra) and B611 (RawSQL), hits and near misses."""
from django.contrib.auth.models import User
from django.db.models.expressions import RawSQL

User.objects.filter(username="admin").extra(select={"test": "secure"})
User.objects.filter(username="admin").extra(where=["secure"])
User.objects.filter(username="admin").extra(tables=["secure"])
User.objects.filter(username="admin").extra(dict(could_be="insecure"))
User.objects.filter(username="admin").extra(select=dict(could_be="insecure"))
query = '"username") AS "username", * FROM "auth_user" WHERE 1=1 OR "username"=? --'
User.objects.filter(username="admin").extra(select={"test": query})
User.objects.filter(username="admin").extra(select={"test": "%secure" % "nos"})
User.objects.filter(username="admin").extra(where=[f"{query}"])
User.objects.filter(username="admin").extra({"test": "secure"}, [query])
User.objects.filter(username="admin").extra(tables=query)
User.objects.filter(username="admin").extra(order_by=[query])
User.objects.annotate(val=RawSQL("secure", []))
User.objects.annotate(val=RawSQL("%secure" % "nos", []))
User.objects.annotate(val=RawSQL(sql=query, params=[]))
User.objects.annotate(val=RawSQL(sql="secure", params=[]))
