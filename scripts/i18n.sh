#!/usr/bin/env bash
# Exports relation_pyramid's translation template with Odoo itself into
# relation_pyramid/i18n/relation_pyramid.pot and merges it into nl.po,
# keeping the existing translations (`make pot` runs it).
#
# The template comes from a database with the addon installed ($RP_I18N_DB,
# default rp_i18n): created without demo data if missing, else the addon is
# updated in it first, so strings added to views, fields and data since are
# exported too. RP_I18N_FRESH=1 recreates the database.
#
# New or changed strings come out of the merge untranslated, or fuzzy when
# msgmerge finds a similar old one: translate them (and remove the fuzzy
# flag) in nl.po; tests/test_translation.py fails until every string is.
source "$(dirname "$0")/common.sh"

db="${RP_I18N_DB:-rp_i18n}"
port="${RP_I18N_HTTP_PORT:-8179}"
i18n="$RP_ROOT/relation_pyramid/i18n"
pot="$i18n/relation_pyramid.pot"
po="$i18n/nl.po"
python="$RP_VENV/bin/python"
log="$RP_LOCAL/log/i18n-$db.log"
mkdir -p "$i18n" "$RP_LOCAL/log"

db_has_addon() {
    "$RP_ROOT/scripts/pg.sh" psql -d "$db" -tAc \
        "SELECT 1 FROM ir_module_module WHERE name = 'relation_pyramid' AND state = 'installed'" \
        2>/dev/null | grep -qx 1
}

if [ "${RP_I18N_FRESH:-0}" != 1 ] && db_has_addon; then
    say "updating relation_pyramid in $db (log: ${log#$RP_ROOT/})"
    if ! "$RP_ROOT/bin/odoo" -d "$db" -u relation_pyramid --stop-after-init \
            --http-port="$port" --logfile="$log" --log-level=warn; then
        tail -n 40 "$log" >&2
        die "updating relation_pyramid in $db failed"
    fi
else
    RP_INSTALL_HTTP_PORT="$port" "$RP_ROOT/scripts/create_db.sh" "$db" --without-demo=all
fi

# Odoo 11 picks the format from the file name and knows .po, .csv and .tgz
# only: a .po exported without --language is the template.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
say "exporting the template of relation_pyramid from $db"
if ! "$RP_ROOT/bin/odoo" -d "$db" --i18n-export="$tmp/relation_pyramid.po" \
        --modules=relation_pyramid --stop-after-init --http-port="$port" \
        --logfile="$log" --log-level=warn; then
    tail -n 40 "$log" >&2
    die "exporting the template from $db failed"
fi
[ -s "$tmp/relation_pyramid.po" ] || die "Odoo wrote an empty template (see $log)"

# Keep the old template when only its dates changed: no churn in git.
without_dates() { grep -v -E '^"(POT-Creation|PO-Revision)-Date: ' "$1"; }
if [ -f "$pot" ] && cmp -s <(without_dates "$pot") <(without_dates "$tmp/relation_pyramid.po"); then
    say "template unchanged: ${pot#$RP_ROOT/}"
else
    cp "$tmp/relation_pyramid.po" "$pot"
    say "template written: ${pot#$RP_ROOT/}"
fi

if [ "${RP_I18N_MERGE:-}" != polib ] && ! command -v msgmerge >/dev/null 2>&1; then
    say "msgmerge missing: installing Debian's gettext"
    { as_root apt-get install -y -qq gettext >/dev/null 2>&1 \
        || { as_root apt-get update -qq && as_root apt-get install -y -qq gettext >/dev/null; }; } \
        || say "could not install gettext: merging with polib instead"
fi

# The polib steps. polib reads a reference such as
# "model:ir.ui.view,arch_db:relation_pyramid.x" as file and line and drops
# the colon between them; Odoo needs those references to apply the
# translations, so they are kept whole here.
polib_step() {
    "$python" - "$@" <<'PY'
import sys

import polib


def handle_oc(self):
    if self.current_state in ["mc", "ms", "mx"]:
        self.instance.append(self.current_entry)
        self.current_entry = polib.POEntry(linenum=self.current_line)
    for occurrence in self.current_token[3:].split():
        self.current_entry.occurrences.append((occurrence, ""))
    return True


polib._POFileParser.handle_oc = handle_oc
step, pot_path, po_path = sys.argv[1:4]
pot = polib.pofile(pot_path)
if step == "init":
    # A new catalogue: the template with a Dutch header.
    pot.metadata.update({
        "Language": "nl",
        "Language-Team": "Dutch",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    })
    pot.save(po_path)
elif step == "merge":
    po = polib.pofile(po_path)
    po.merge(pot)
    for entry in po.obsolete_entries():
        po.remove(entry)
    po.metadata["POT-Creation-Date"] = pot.metadata.get("POT-Creation-Date", "")
    po.save()
elif step == "report":
    po = polib.pofile(po_path)
    todo = [e for e in po if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags)]
    print("[relation_pyramid] %d strings in the template, %d translated in nl.po, "
          "%d to do" % (len(pot), len(po.translated_entries()), len(todo)),
          file=sys.stderr)
    for entry in todo:
        print("  to translate%s: %r" % (" (fuzzy)" if "fuzzy" in entry.flags else "",
                                       entry.msgid[:100]), file=sys.stderr)
PY
}

if [ ! -f "$po" ]; then
    polib_step init "$pot" "$po"
    say "created ${po#$RP_ROOT/} from the template"
fi

# RP_I18N_MERGE=polib merges with polib even where msgmerge is installed.
if [ "${RP_I18N_MERGE:-}" != polib ] && command -v msgmerge >/dev/null 2>&1; then
    msgmerge --quiet --update --backup=none "$po" "$pot"
    # Strings gone from the template are dropped, not kept as obsolete (#~).
    msgattrib --no-obsolete --output-file="$po" "$po"
    msgfmt --check --output-file=/dev/null "$po" || die "${po#$RP_ROOT/} has format errors"
else
    polib_step merge "$pot" "$po"
fi

polib_step report "$pot" "$po"
