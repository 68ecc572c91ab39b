"""Installs the addon into the ``odoo.addons`` namespace of an Odoo 11 venv.

``pip install .`` makes ``odoo.addons.relation_pyramid`` importable, the
layout setuptools-odoo gives with ``odoo_addon=True``, together with its
bridges ``relation_pyramid_crm`` (installs itself in Odoo when CRM is there)
and ``relation_pyramid_pos`` (when Point of Sale is there).
"""
import ast
import os

from setuptools import setup

ADDON = "relation_pyramid"
# The addon and its bridges, shipped together.
ADDONS = [ADDON, "relation_pyramid_crm", "relation_pyramid_pos"]
HERE = os.path.dirname(os.path.abspath(__file__))


def read_manifest():
    with open(os.path.join(HERE, ADDON, "__manifest__.py")) as manifest:
        return ast.literal_eval(manifest.read())


def addon_packages():
    """Every Python package of the addons, mapped into odoo.addons."""
    packages, package_dir = [], {}
    for addon in ADDONS:
        for folder, _dirs, files in os.walk(os.path.join(HERE, addon)):
            if "__init__.py" in files:
                relative = os.path.relpath(folder, HERE)
                name = "odoo.addons." + relative.replace(os.sep, ".")
                packages.append(name)
                package_dir[name] = relative
    return packages, package_dir


def addon_data_files(addon):
    """Non-Python files (views, data, translations, images) of an addon."""
    data = []
    for folder, _dirs, files in os.walk(os.path.join(HERE, addon)):
        for filename in files:
            if not filename.endswith((".py", ".pyc")):
                path = os.path.join(folder, filename)
                data.append(os.path.relpath(path, os.path.join(HERE, addon)))
    return data


manifest = read_manifest()
packages, package_dir = addon_packages()
setup(
    name="odoo11-addon-" + ADDON,
    version=manifest["version"],
    description=manifest["summary"],
    license="AGPL-3",
    author=manifest["author"],
    url=manifest["website"],
    packages=packages,
    package_dir=package_dir,
    package_data={"odoo.addons." + addon: addon_data_files(addon) for addon in ADDONS},
    python_requires=">=3.5, <3.8",
    classifiers=[
        "Framework :: Odoo",
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: GNU Affero General Public License v3",
    ],
    zip_safe=False,
)
