"""``pip install`` of the repository ships the addon into ``odoo.addons``.

Builds from a copy of the repository in a temporary folder, so nothing
(build/, *.egg-info) is left behind in the working tree.
"""
import ast
import os
import shutil
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "relation_pyramid"
# Not needed to build, heavy or produced by a build.
SKIPPED_AT_ROOT = {".local", ".git", "build", "dist", "bench"}


def _ignore(folder, names):
    skipped = {
        name
        for name in names
        if name == "__pycache__" or name.endswith((".pyc", ".egg-info"))
    }
    if os.path.abspath(folder) == REPO_ROOT:
        skipped |= SKIPPED_AT_ROOT & set(names)
    return skipped


def _manifest():
    with open(os.path.join(REPO_ROOT, ADDON, "__manifest__.py")) as manifest:
        return ast.literal_eval(manifest.read())


def _pip_install(source, target):
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--disable-pip-version-check",
        "--target",
        target,
        source,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=source
    )
    output = process.communicate(timeout=600)[0].decode("utf-8", "replace")
    assert process.returncode == 0, output


def test_pip_install_ships_addon_into_odoo_addons():
    tmp = tempfile.mkdtemp(prefix="rp_packaging_")
    try:
        source = os.path.join(tmp, "src")
        target = os.path.join(tmp, "target")
        shutil.copytree(REPO_ROOT, source, ignore=_ignore)
        _pip_install(source, target)

        installed = os.path.join(target, "odoo", "addons", ADDON)
        for relative in (
            "__init__.py",
            "__manifest__.py",
            os.path.join("models", "__init__.py"),
            os.path.join("models", "res_partner.py"),
            os.path.join("models", "relation_service_preference.py"),
            os.path.join("models", "relation_motive.py"),
            os.path.join("data", "relation_service_preference_data.xml"),
            os.path.join("data", "relation_motive_data.xml"),
        ):
            assert os.path.isfile(os.path.join(installed, relative)), relative
        # Every file the manifest loads must be shipped.
        for relative in _manifest()["data"]:
            assert os.path.isfile(os.path.join(installed, relative)), relative
        # The CRM bridge ships with it.
        bridge = os.path.join(target, "odoo", "addons", "relation_pyramid_crm")
        for relative in ("__manifest__.py", os.path.join("wizards", "__init__.py")):
            assert os.path.isfile(os.path.join(bridge, relative)), relative
        # Not a regular package: odoo/addons stays a namespace.
        assert not os.path.exists(os.path.join(target, "odoo", "__init__.py"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_the_commands_scripts_are_executable():
    """``make test``, ``make demo`` and CI run these by path: a commit that
    drops their mode stops a fresh clone at 'Permission denied'."""
    scripts = [os.path.join(".ci", "run"), os.path.join("bin", "odoo")]
    folder = os.path.join(REPO_ROOT, "scripts")
    scripts += [
        os.path.join("scripts", name)
        for name in sorted(os.listdir(folder))
        if name.endswith(".sh")
    ]
    not_executable = [
        path
        for path in scripts
        if not os.access(os.path.join(REPO_ROOT, path), os.X_OK)
    ]
    assert not not_executable
