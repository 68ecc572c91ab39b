# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Relation Pyramid - Point of Sale",
    "summary": "Point of sale orders of identified customers count in the "
    "customer pyramid",
    "version": "11.0.1.0.0",
    "development_status": "Alpha",
    "category": "Sales",
    "website": "https://github.com/relation-pyramid/relation_pyramid",
    "author": "relation_pyramid authors",
    "maintainers": ["relation-pyramid"],
    "license": "AGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["relation_pyramid", "point_of_sale"],
}
