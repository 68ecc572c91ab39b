# Run inside `odoo shell`: prints what the demo database holds.
partners = env["res.partner"]
print("Customers with a relation profile:")
for key, label in partners._fields["relation_qualification"].selection:
    print("  %-28s %5d" % (label, partners.search_count([("relation_qualification", "=", key)])))
