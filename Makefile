# relation_pyramid: the two commands are `make demo` and `make test`.
# Everything is installed by scripts/setup.sh (idempotent, fast on re-runs).
.PHONY: demo test setup lint bench bench-load pot pg-stop clean help

help:
	@echo "make demo   - demo database with the addon, served on http://127.0.0.1:8069 (admin/admin)"
	@echo "make test   - the whole test suite on a fresh database (exit code tells)"
	@echo "make lint   - flake8 and pylint-odoo (OCA checks), own venv in .local/lintvenv"
	@echo "make bench  - performance bench, sizes S and M (SIZE=S for a quick run), see bench/README.md"
	@echo "make bench-load - 20 salespeople confirm orders over XML-RPC while the nightly recompute runs (SIZE=M)"
	@echo "make pot    - export relation_pyramid/i18n/relation_pyramid.pot with Odoo and merge it into nl.po"
	@echo "make setup  - install/refresh the venv, lessc, PostgreSQL cluster, Odoo config"
	@echo "make pg-stop - stop the project's PostgreSQL cluster"
	@echo "make clean  - remove .local (venv, cluster, data, logs)"

setup:
	scripts/setup.sh

demo: setup
	scripts/demo.sh

test: setup lint
	scripts/test.sh

lint:
	scripts/lint.sh

bench: setup
	bench/bench.sh $(SIZE)

bench-load: setup
	bash -c 'source scripts/common.sh && scripts/pg.sh start && exec "$$RP_VENV/bin/python" bench/load.py --size $(or $(SIZE),M) $(LOAD_ARGS)'

pot: setup
	scripts/i18n.sh

pg-stop:
	scripts/pg.sh stop

clean: pg-stop
	rm -rf .local
