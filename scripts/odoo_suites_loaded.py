"""Run the at_install tests of Odoo addons again with every installed addon
loaded, through Odoo's own runner (odoo.modules.module.run_unit_tests).

Odoo 11 runs a module's at_install tests while it loads the module graph,
right after that module: an addon that depends on it (relation_pyramid on
sale) is not in the registry yet, so its Python overrides (e.g. of
sale.order's confirmation) do not take part. This script loads the whole
registry first, then runs the same tests, logged as Odoo's runner logs them.

Usage (Odoo venv): python odoo_suites_loaded.py -c CONF -d DB
    --logfile=LOG --log-level=test -- sale [more modules]
Exit code 1 if any test failed or erred.
"""
import logging
import sys
import threading

import odoo
from odoo.modules.module import run_unit_tests, runs_at_install

_logger = logging.getLogger("odoo_suites_loaded")


def main(argv):
    split = argv.index("--")
    odoo_args, modules = argv[:split], argv[split + 1:]
    odoo.tools.config.parse_config(odoo_args + ["--test-enable"])
    dbname = odoo.tools.config["db_name"]
    threading.current_thread().dbname = dbname
    ok = True
    with odoo.api.Environment.manage():
        registry = odoo.registry(dbname)
        if "relation_pyramid" not in registry._init_modules:
            _logger.error("relation_pyramid is not installed in %s", dbname)
            return 1
        _logger.info(
            "registry of %s loaded (%d modules, relation_pyramid among them): "
            "at_install tests of %s", dbname, len(registry._init_modules),
            ", ".join(modules),
        )
        for module in modules:
            ok = run_unit_tests(module, registry.db_name, runs_at_install) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
