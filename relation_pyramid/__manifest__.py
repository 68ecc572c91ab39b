# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Relation Pyramid",
    "summary": "Customer pyramid, lifecycle status, service preferences and "
    "relation motives on customers",
    "version": "11.0.1.0.0",
    "development_status": "Alpha",
    "category": "Sales",
    "website": "https://github.com/relation-pyramid/relation_pyramid",
    "author": "relation_pyramid authors",
    "maintainers": ["relation-pyramid"],
    "license": "AGPL-3",
    "application": False,
    "installable": True,
    "depends": ["sale_management"],
    "data": [
        "security/relation_pyramid_security.xml",
        "security/ir.model.access.csv",
        "data/relation_service_preference_data.xml",
        "data/relation_motive_data.xml",
        "data/ir_cron_data.xml",
        "views/relation_service_preference_views.xml",
        "views/relation_motive_views.xml",
        "views/relation_pyramid_profile_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/relation_pyramid_demo.xml"],
    "post_init_hook": "post_init_hook",
}
