#!/usr/bin/env python3
"""Write the addon's demo data: relation_pyramid/demo/relation_pyramid_demo.xml.

One story: a Dutch IT reseller in Utrecht (computers, tablets, accessories,
support hours), Odoo's main company renamed and set up in the Netherlands,
in euros, time zone Europe/Amsterdam, with Dutch (nl_NL) loaded and set as
the language of admin, the demo salesperson and every customer. About 120
business customers, a dozen private customers, their contact persons and
some 450 sale orders over the last two years. Revenue per customer follows
a Pareto curve, so the 1/5/20 % pyramid has top, big, medium and small
customers; besides these the file holds customers that only bought 13-24
months ago (inactive), among them two former big accounts (win-back
candidates: big in the snapshots of the past quarter ends that the addon's
post_init_hook computes, inactive now), customers with only quotations
(prospects), customers whose revenue dropped strongly against the previous
year (risk), and relations without orders qualified as prospect, suspect or
other. Odoo's own demo sale orders (American customers in dollars) are
cancelled, so that they stay out of the pyramid.

Odoo loads a module's data, then its demo data, then runs its
post_init_hook (odoo/modules/loading.py): the hook recomputes the pyramid
from these orders, backfills the last four quarter ends and saves a
migration matrix. Odoo's ``account`` marks a chart of accounts for install
after this module (the generic one, in dollars, for Odoo's American demo
company): while it is still pending and the company has none, the demo
installs the Dutch chart (``l10n_nl``, in euros) instead.

Every date is relative to the day the data is loaded (``DateTime.today()``
in an ``eval``), so a demo database is always current. The output is
deterministic: the same seed gives the same file. Run it again after editing:

    python3 scripts/generate_demo_xml.py [--seed N] [--output PATH]
"""
import argparse
import math
import random
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

SEED = 20260630
ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "relation_pyramid" / "demo" / "relation_pyramid_demo.xml"
MODULE = "relation_pyramid"
UNIT = "product.product_uom_unit"
CACHE_FLUSH = 20  # records between two clears of the ORM cache, see flush_cache
QUOTE = {'"': "&quot;"}  # for escape() inside a double-quoted attribute

# Windows (days before the load day) of the confirmation dates per year back.
# The period is the last 12 months (about 365 days): year 0 stays inside it,
# year 1 inside the previous period; margins keep orders off the boundaries
# whatever the month lengths.
YEAR_WINDOWS = {0: (1, 356), 1: (374, 722)}
# The win-back candidates' orders: 380-456 days ago. The four quarter ends
# before the load day lie 1-366 days back, the oldest three at least 92
# days back; a 12-month period ending there starts 457-731 days back, so
# these orders count in those three snapshots whatever the day, and in none
# today (more than 365 days back).
WIN_BACK_WINDOW = (380, 456)

# The company the demo tells about (Odoo's main company, renamed).
COMPANY = {
    "name": "Pixelpoort Automatisering B.V.",
    "street": "Europalaan 40",
    "zip": "3526 KS",
    "city": "Utrecht",
    "phone": "+31 30 760 40 00",
    "email": "info@pixelpoort.nl",
    "website": "https://www.pixelpoort.nl",
    "company_registry": "30212345",
}
LANG = "nl_NL"
TZ = "Europe/Amsterdam"

SALESPEOPLE = ["base.user_root", "base.user_demo"]  # Odoo 11: no base.user_admin

# Odoo 11 product demo data: (xml id, list price, is a service, description
# as Odoo's product onchange would write it). The lines carry description,
# unit and (no) taxes themselves, which spares an onchange per line when
# loading; at that point of an install no chart of accounts, so no taxes.
PRODUCTS = [
    ("product.product_product_2", 38.25, True, "Support Services"),
    ("product.product_product_3", 450.0, False, "[PCSC234] Computer SC234"),
    (
        "product.product_product_4",
        750.0,
        False,
        "[E-COM01] iPad Retina Display (White, 16 GB)",
    ),
    ("product.product_product_5", 147.0, False, "[E-COM06] Custom Computer (kit)"),
    (
        "product.product_product_5b",
        247.0,
        False,
        "[E-COM05] Bose Mini Bluetooth Speaker",
    ),
    ("product.product_product_6", 320.0, False, "[E-COM07] iPad Mini"),
    ("product.product_product_7", 79.0, False, "[E-COM08] Apple In-Ear Headphones"),
    ("product.product_product_8", 1799.0, False, "[E-COM09] iMac"),
    ("product.product_product_9", 47.0, False, "[E-COM10] Apple Wireless Keyboard"),
    ("product.product_product_10", 14.0, False, "[E-COM11] Mouse, Optical"),
    ("product.product_product_11", 16.5, False, "[E-COM12] iPod (16 GB)"),
    ("product.product_product_12", 12.5, False, "[M-Wir] Mouse, Wireless"),
    ("product.product_product_13", 85.0, False, "[RAM-SR5] RAM SR5"),
    ("product.product_product_16", 25.0, False, "[C-Case] Computer Case"),
    ("product.product_product_17", 975.0, False, "[HDD-SH1] HDD SH-1"),
    ("product.product_product_24", 885.0, False, "[CARD] Graphics Card"),
    ("product.product_product_25", 2950.0, False, "[LAP-E5] Laptop E5023"),
    ("product.product_product_27", 3645.0, False, "[LAP-CUS] Laptop Customized"),
]

SERVICE_PREFERENCES = ["phone", "email", "post", "visit", "event", "portal", "shop"]
# Weights per customer size: large accounts want visits and events, small
# ones e-mail, the web shop or the shop counter.
SERVICE_WEIGHTS = {
    "large": [5, 4, 1, 8, 4, 2, 0.5],
    "medium": [6, 6, 2, 3, 2, 3, 1],
    "small": [4, 7, 3, 1, 1, 5, 4],
    "private": [2, 6, 2, 0.2, 1, 5, 8],
}
MOTIVES = [
    "brand",
    "price",
    "quality",
    "service",
    "personal",
    "location",
    "assortment",
    "delivery",
]
MOTIVE_NOTES = {
    "personal": [
        "Nicht van de eigenaar werkt bij ons in de winkel.",
        "Kent onze accountmanager al twintig jaar.",
        "De directeur zit bij onze verkoper in de tennisclub.",
    ],
    "price": [
        "Vergelijkt elke offerte met de webwinkels; prijsgevoelig.",
        "Vraagt altijd om staffelkorting.",
    ],
    "brand": ["Kiest bewust voor A-merken.", "Wil alleen Apple op de werkplekken."],
    "delivery": ["Waardeert de levering binnen 24 uur.", "Bestelt vaak last-minute."],
    "location": ["Zit om de hoek van onze vestiging.", "Haalt zelf af aan de balie."],
    "service": [
        "Blij met de snelle hulp bij storingen.",
        "Heeft een onderhoudscontract voor de werkplekken.",
    ],
}

CITIES = [
    # name, postcode digits, area code
    ("Amsterdam", 1012, "20"),
    ("Rotterdam", 3011, "10"),
    ("Den Haag", 2511, "70"),
    ("Utrecht", 3511, "30"),
    ("Eindhoven", 5611, "40"),
    ("Groningen", 9711, "50"),
    ("Tilburg", 5038, "13"),
    ("Almere", 1315, "36"),
    ("Breda", 4811, "76"),
    ("Nijmegen", 6511, "24"),
    ("Apeldoorn", 7311, "55"),
    ("Haarlem", 2011, "23"),
    ("Arnhem", 6811, "26"),
    ("Enschede", 7511, "53"),
    ("Amersfoort", 3811, "33"),
    ("Zwolle", 8011, "38"),
    ("'s-Hertogenbosch", 5211, "73"),
    ("Leiden", 2311, "71"),
    ("Maastricht", 6211, "43"),
    ("Dordrecht", 3311, "78"),
    ("Zoetermeer", 2711, "79"),
    ("Deventer", 7411, "570"),
    ("Delft", 2611, "15"),
    ("Alkmaar", 1811, "72"),
    ("Leeuwarden", 8911, "58"),
    ("Venlo", 5911, "77"),
    ("Hilversum", 1211, "35"),
    ("Gouda", 2801, "182"),
    ("Assen", 9401, "592"),
    ("Middelburg", 4331, "118"),
    ("Helmond", 5701, "492"),
    ("Roermond", 6041, "475"),
    ("Harderwijk", 3841, "341"),
    ("Veenendaal", 3901, "318"),
    ("Heerenveen", 8441, "513"),
]
STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Industrieweg",
    "Molenweg",
    "Nieuwstraat",
    "Marktplein",
    "Hoofdstraat",
    "Schoolstraat",
    "Havenstraat",
    "Ambachtsweg",
    "Energieweg",
    "Nijverheidsweg",
    "Handelsweg",
    "Parallelweg",
    "Zuiderkade",
    "Beatrixlaan",
    "Julianastraat",
    "Wilhelminastraat",
    "Kanaalweg",
    "De Hoven",
    "Noordersingel",
    "Oude Gracht",
    "Pascalweg",
    "Edisonstraat",
]
# Surnames as (tussenvoegsel, core): "Van den Berg" in a company name,
# "Sanne van den Berg" for a person.
SURNAMES = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("de", "Jong"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Vliet"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("", "Koster"),
    ("", "Prins"),
    ("", "Blom"),
    ("", "Huisman"),
    ("", "Kuipers"),
    ("van", "Wijk"),
    ("", "Post"),
    ("", "Kramer"),
    ("", "Postma"),
    ("", "Veenstra"),
    ("", "Timmermans"),
    ("van", "Dam"),
    ("", "Evers"),
    ("", "Groen"),
    ("", "Wouters"),
    ("", "Kuijpers"),
    ("", "Bosman"),
    ("van", "Rijn"),
    ("", "Hermans"),
    ("ter", "Horst"),
    ("", "Sluiter"),
    ("", "Zijlstra"),
    ("van", "Houten"),
    ("", "Kloosterman"),
    ("", "Wolters"),
    ("van", "Essen"),
    ("", "Claassen"),
]
FIRST_NAMES = [
    "Jan", "Piet", "Kees", "Henk", "Wim", "Sanne", "Anouk", "Lotte", "Femke",
    "Eva", "Marieke", "Ingrid", "Bram", "Daan", "Sem", "Lucas", "Thijs", "Ruud",
    "Marco", "Linda", "Monique", "Esther", "Joost", "Niels", "Sander", "Mark",
    "Tim", "Iris", "Lisa", "Fleur", "Gerrit", "Hanneke", "Maarten", "Roos",
    "Jeroen", "Petra", "Willem", "Anke", "Bas", "Nienke",
]
FUNCTIONS = [
    "Eigenaar",
    "Directeur",
    "Inkoper",
    "Office manager",
    "Bedrijfsleider",
    "Hoofd inkoop",
    "Financieel administrateur",
    "Facilitair manager",
    "ICT-coördinator",
    "Praktijkmanager",
]
# Company names by size; {n} is a surname, {c} a city.
LARGE_NAMES = [
    "{n} Groep B.V.",
    "Bouwgroep {n} B.V.",
    "{n} Logistiek B.V.",
    "Zorggroep {c}",
    "Scholengemeenschap {c}",
    "Woonstichting {c}",
    "{n} Techniek B.V.",
    "Gebr. {n} B.V.",
    "{n} & Zonen B.V.",
    "{n} ICT Solutions B.V.",
    "Accountants {n} & Partners",
    "Installatiegroep {n} B.V.",
    "Transportbedrijf {n} B.V.",
    "Drukkerij {n} B.V.",
    "Aannemersbedrijf {n} B.V.",
]
SMALL_NAMES = [
    "Bakkerij {n}",
    "Slagerij {n}",
    "Kapsalon {n}",
    "Fietsenwinkel {n}",
    "Schildersbedrijf {n}",
    "Hoveniersbedrijf {n}",
    "Loodgietersbedrijf {n}",
    "Tandartspraktijk {n}",
    "Fysiotherapie {n}",
    "Administratiekantoor {n}",
    "Makelaardij {n}",
    "Autobedrijf {n}",
    "Garage {n}",
    "Bloemenzaak {n}",
    "Opticien {n}",
    "Dierenkliniek {n}",
    "Rijschool {n}",
    "Fotostudio {n}",
    "Boekhandel {n}",
    "Reisbureau {n}",
    "Notariskantoor {n}",
    "Advocatenkantoor {n}",
    "Installatiebedrijf {n} B.V.",
    "Elektrotechniek {n} B.V.",
    "Timmerbedrijf {n}",
    "Dakdekkersbedrijf {n}",
    "Accountantskantoor {n}",
    "Huisartsenpraktijk {n}",
    "Klussenbedrijf {n}",
    "Stukadoorsbedrijf {n}",
    "Kinderopvang {n}",
    "Uitvaartzorg {n}",
]
FIXED_SMALL_NAMES = [
    "Eetcafé De Zwaan",
    "Hotel De Gouden Leeuw",
    "Brasserie Het Anker",
    "Café De Kroon",
    "Lunchroom Het Hoekje",
    "Camping De Bosrand",
    "Muziekschool De Notenbalk",
    "Sportschool Fit & Vitaal",
]
PROSPECT_NOTES = [
    "Brochure verstuurd na de Vakbeurs Utrecht.",
    "Catalogus opgevraagd via de website.",
    "Kennismakingsgesprek gehad; wacht op budget voor volgend jaar.",
    "Ingeschreven voor de nieuwsbrief, heeft de folder ontvangen.",
    "Bezocht onze stand op de regionale ondernemersdag.",
]
SUSPECT_NOTES = [
    "Nieuw bedrijf in de regio, nog geen contact gehad.",
    "Gevonden via de KvK-lijst van nieuwe inschrijvingen.",
    "Tip van een bestaande klant.",
    "Groeit snel volgens het Dagblad; nog niet benaderd.",
]
OTHER_REASONS = [
    "Koopt uitsluitend via een landelijke inkoopcombinatie.",
    "Bedrijf wordt per 1 januari opgeheven.",
    "Eigen ICT-afdeling, koopt rechtstreeks bij de fabrikant.",
    "Wil niet meer benaderd worden (AVG-verzoek).",
]


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.used_names = set()
        self.partners = []  # dicts, in output order
        self.orders = []

    # ------------------------------------------------------------------
    # Names and addresses
    # ------------------------------------------------------------------
    def surname(self, in_company_name):
        prefix, core = self.rng.choice(SURNAMES)
        if not prefix:
            return core
        if in_company_name:
            return "%s %s" % (prefix[0].upper() + prefix[1:], core)
        return "%s %s" % (prefix, core)

    def company_name(self, size, city):
        for _attempt in range(200):
            if size == "small" and self.rng.random() < 0.06:
                name = self.rng.choice(FIXED_SMALL_NAMES)
            else:
                templates = LARGE_NAMES if size == "large" else SMALL_NAMES
                template = self.rng.choice(templates)
                name = template.format(n=self.surname(True), c=city)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("ran out of company names")

    def person_name(self):
        for _attempt in range(200):
            name = "%s %s" % (self.rng.choice(FIRST_NAMES), self.surname(False))
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("ran out of person names")

    @staticmethod
    def slug(text):
        text = text.lower().replace("&", "en").replace("é", "e").replace("ö", "o")
        text = re.sub(r"\b(b\.v\.|gebr\.)", "", text)
        return re.sub(r"[^a-z0-9]", "", text)

    def address(self):
        city, postcode, area = self.rng.choice(CITIES)
        letters = "ABCDEFGHJKLMNPRSTVWXZ"
        zip_code = "%04d %s%s" % (
            postcode + self.rng.randint(0, 40),
            self.rng.choice(letters),
            self.rng.choice(letters),
        )
        street = "%s %d" % (self.rng.choice(STREETS), self.rng.randint(1, 180))
        digits = "".join(str(self.rng.randint(0, 9)) for _i in range(9 - len(area)))
        if len(area) == 2:
            phone = "+31 %s %s %s" % (area, digits[:3], digits[3:])
        else:
            phone = "+31 %s %s %s %s" % (area, digits[:2], digits[2:4], digits[4:])
        return {"street": street, "zip": zip_code, "city": city, "phone": phone}

    def mobile(self):
        return "+31 6 %s" % "".join(str(self.rng.randint(0, 9)) for _i in range(8))

    # ------------------------------------------------------------------
    # Relation profile
    # ------------------------------------------------------------------
    def weighted_sample(self, items, weights, count):
        items, weights = list(items), list(weights)
        chosen = []
        for _i in range(min(count, len(items))):
            pick = self.rng.choices(range(len(items)), weights=weights)[0]
            chosen.append(items.pop(pick))
            weights.pop(pick)
        return chosen

    def profile(self, size):
        services = self.weighted_sample(
            SERVICE_PREFERENCES,
            SERVICE_WEIGHTS[size],
            self.rng.choices([1, 2, 3], weights=[3, 5, 2])[0],
        )
        motives = self.rng.sample(MOTIVES, self.rng.choices([1, 2, 3], [4, 5, 2])[0])
        note = None
        noted = [motive for motive in motives if motive in MOTIVE_NOTES]
        if noted and self.rng.random() < 0.3:
            note = self.rng.choice(MOTIVE_NOTES[self.rng.choice(noted)])
        return {
            "services": services,
            "preferred": services[0],
            "motives": motives,
            "motive_note": note,
        }

    # ------------------------------------------------------------------
    # Partners
    # ------------------------------------------------------------------
    def add_company(self, key, size, kind, contacts):
        address = self.address()
        name = self.company_name(size, address["city"])
        domain = "%s.nl" % self.slug(name)
        company = dict(
            address,
            xml_id="res_partner_%s_demo" % key,
            name=name,
            is_company=True,
            email="info@%s" % domain,
            website="http://www.%s" % domain,
            user=self.rng.choices(SALESPEOPLE, weights=[3, 2])[0],
            kind=kind,
            contacts=[],
        )
        company.update(self.profile(size))
        self.partners.append(company)
        for index in range(contacts):
            person = self.person_name()
            first, last = person.split(" ", 1)
            contact = {
                "xml_id": "res_partner_%s_contact_%d_demo" % (key, index + 1),
                "name": person,
                "parent": company["xml_id"],
                "function": self.rng.choice(FUNCTIONS),
                "email": "%s.%s@%s" % (self.slug(first), self.slug(last), domain),
                "mobile": self.mobile(),
            }
            company["contacts"].append(contact)
            self.partners.append(contact)
        return company

    def add_private(self, key, kind):
        address = self.address()
        name = self.person_name()
        first, last = name.split(" ", 1)
        person = dict(
            address,
            xml_id="res_partner_%s_demo" % key,
            name=name,
            is_company=False,
            email="%s.%s@%s" % (
                self.slug(first),
                self.slug(last),
                self.rng.choice(["gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.com"]),
            ),
            mobile=self.mobile(),
            user=SALESPEOPLE[1],
            kind=kind,
            contacts=[],
        )
        person.update(self.profile("private"))
        self.partners.append(person)
        return person

    # ------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------
    def order_lines(self, amount, discount):
        count = 1 if amount < 80 else self.rng.choices([1, 2, 3], [9, 7, 4])[0]
        weights = [self.rng.uniform(0.3, 1.0) for _i in range(count)]
        lines, used = [], set()
        for weight in weights:
            part = amount * weight / sum(weights)
            candidates = [
                product
                for product in PRODUCTS
                if part / 40.0 <= product[1] <= part and product[0] not in used
            ]
            if not candidates:
                candidates = [
                    min(
                        (p for p in PRODUCTS if p[0] not in used),
                        key=lambda p: abs(math.log(p[1] / max(part, 1.0))),
                    )
                ]
            product_id, list_price, service, description = self.rng.choice(candidates)
            used.add(product_id)
            price = round(list_price * (1 - discount), 2)
            quantity = max(1, int(round(part / price)))
            if service:  # hours, by the half hour
                quantity = max(1.0, round(part / price * 2) / 2)
            lines.append(
                {
                    "product": product_id,
                    "description": description,
                    "uom": "product.product_uom_hour" if service else UNIT,
                    "quantity": quantity,
                    "price": price,
                }
            )
        return lines

    def add_order(self, customer, day, state, amount, discount=0.0):
        partner = customer
        if customer["contacts"] and self.rng.random() < 0.55:
            partner = self.rng.choice(customer["contacts"])
        order_hour = self.rng.randint(7, 11)
        order = {
            "customer": customer,
            "partner": partner["xml_id"],
            "user": customer["user"],
            "state": state,
            "day": day,
            "order_time": "%02d:%02d:00" % (order_hour, self.rng.randint(0, 59)),
            "lines": self.order_lines(amount, discount),
        }
        if state in ("sale", "done"):
            # Confirmed 0-3 days after the order, never in the future.
            order["confirm_day"] = day
            order["day"] = day + self.rng.choice([0, 0, 1, 2, 3])
            order["confirm_time"] = "%02d:%02d:00" % (
                self.rng.randint(12, 16),
                self.rng.randint(0, 59),
            )
        order["amount"] = sum(
            line["quantity"] * line["price"] for line in order["lines"]
        )
        self.orders.append(order)
        return order

    def order_days(self, year, count, first_day=None):
        low, high = YEAR_WINDOWS[year]
        if first_day is not None:
            high = min(high, first_day)
        count = min(count, high - low + 1)
        return sorted(self.rng.sample(range(low, high + 1), count), reverse=True)

    @staticmethod
    def orders_per_year(value):
        """Bigger customers buy more often (1 to 9 orders a year)."""
        return max(1, min(9, int(round(1.0 + 1.1 * math.log(value / 1500.0)))))

    def buy(self, customer, yearly, discount, first_day=None):
        """Confirmed orders for ``{year: value}``; old ones partly locked."""
        for year, value in sorted(yearly.items()):
            days = self.order_days(year, self.orders_per_year(value), first_day)
            shares = [self.rng.lognormvariate(0, 0.35) for _day in days]
            for day, share in zip(days, shares):
                state = "done" if day > 420 and self.rng.random() < 0.35 else "sale"
                self.add_order(
                    customer, day, state, value * share / sum(shares), discount
                )

    # ------------------------------------------------------------------
    # The customer base
    # ------------------------------------------------------------------
    def pareto_values(self, count, scale, alpha):
        """Yearly revenue of ``count`` customers along a Pareto quantile curve,
        with some noise, largest first."""
        values = [
            scale * ((rank - 0.5) / count) ** (-1.0 / alpha)
            * self.rng.lognormvariate(0, 0.12)
            for rank in range(1, count + 1)
        ]
        return sorted(values, reverse=True)

    @staticmethod
    def size_of(rank, count):
        if rank < max(3, count // 10):
            return "large"
        if rank < count // 3:
            return "medium"
        return "small"

    @staticmethod
    def discount_of(size):
        return {"large": 0.12, "medium": 0.06, "small": 0.0, "private": 0.0}[size]

    def contacts_of(self, size):
        weights = {"large": [0, 1, 4], "medium": [1, 4, 3], "small": [4, 5, 1]}[size]
        return self.rng.choices([0, 1, 2], weights)[0]

    def build(self):
        active = self.build_active()
        self.build_inactive()
        self.build_win_back()
        self.build_prospects()
        self.build_private()
        self.build_open_and_cancelled(active)
        self.build_qualified()

    def build_active(self):
        """Active business customers: Pareto revenue; some new, some at risk."""
        rng = self.rng
        active_values = self.pareto_values(84, 1100.0, 1.1)
        ranks = list(range(len(active_values)))
        risk_ranks = set(rng.sample(ranks[2:45], 6))
        new_ranks = set(rng.sample([r for r in ranks[8:] if r not in risk_ranks], 9))
        active = []
        for rank, value in enumerate(active_values):
            size = self.size_of(rank, len(active_values))
            kind = "risk" if rank in risk_ranks else "new" if rank in new_ranks else ""
            customer = self.add_company(
                "customer_%03d" % (len(active) + 1),
                size,
                kind or "active",
                self.contacts_of(size),
            )
            active.append(customer)
            discount = self.discount_of(size)
            if rank in new_ranks:
                first_day = rng.randint(30, 330)
                self.buy(customer, {0: value * first_day / 365.0}, discount, first_day)
                continue
            growth = rng.lognormvariate(0.04, 0.2)
            years = {0: value, 1: value / growth}
            if rank in risk_ranks:
                years[1] = value / rng.uniform(0.2, 0.5)  # revenue fell by 50-80 %
            self.buy(customer, years, discount)
        return active

    def build_inactive(self):
        """Inactive business customers: bought 13-24 months ago, not since."""
        inactive_values = self.pareto_values(24, 900.0, 1.3)
        for index, value in enumerate(inactive_values):
            size = "large" if index < 3 else "small" if index > 8 else "medium"
            customer = self.add_company(
                "customer_%03d" % (len(self.companies()) + 1),
                size,
                "inactive",
                self.contacts_of(size),
            )
            self.buy(customer, {1: value}, self.discount_of(size))

    def build_win_back(self):
        """Two former big accounts: large orders 380-456 days ago, nothing
        since. In the snapshots of the older quarter ends they rank right
        below the top customer (big); today they are inactive."""
        rng = self.rng
        for value, note in (
            (52000.0, "Was onze op één na grootste klant; overgestapt naar een "
             "landelijke leverancier. Terugwinnen!"),
            (31000.0, "Grote klant tot de fusie; de nieuwe inkoper kent ons nog "
             "niet."),
        ):
            customer = self.add_company(
                "customer_%03d" % (len(self.companies()) + 1),
                "large",
                "win-back",
                2,
            )
            customer["comment"] = note
            low, high = WIN_BACK_WINDOW
            days = sorted(rng.sample(range(low, high + 1), 5), reverse=True)
            shares = [rng.lognormvariate(0, 0.25) for _day in days]
            for day, share in zip(days, shares):
                self.add_order(
                    customer, day, "sale", value * share / sum(shares),
                    self.discount_of("large"),
                )

    def build_prospects(self):
        """Prospects: companies with quotations only, never confirmed."""
        rng = self.rng
        for _index in range(12):
            customer = self.add_company(
                "customer_%03d" % (len(self.companies()) + 1),
                "medium" if rng.random() < 0.4 else "small",
                "prospect",
                rng.choice([1, 1, 2]),
            )
            for _quote in range(rng.choice([1, 1, 2])):
                self.add_order(
                    customer,
                    rng.randint(4, 240),
                    rng.choice(["draft", "sent", "sent"]),
                    rng.lognormvariate(math.log(2500), 0.8),
                )

    def build_private(self):
        """Private customers (B2C): small, a few lapsed, one quotation."""
        rng = self.rng
        for index in range(12):
            kind = "inactive" if index in (3, 7, 10) else "active"
            kind = "prospect" if index == 11 else kind
            person = self.add_private("private_%02d" % (index + 1), kind)
            value = rng.lognormvariate(math.log(450), 0.5)
            if kind == "active":
                self.buy(person, {0: value, 1: value * rng.uniform(0, 1.3)}, 0.0)
            elif kind == "inactive":
                self.buy(person, {1: value}, 0.0)
            else:
                self.add_order(person, rng.randint(5, 60), "sent", value)

    def build_open_and_cancelled(self, active):
        """Open quotations and a few cancelled orders of active customers."""
        rng = self.rng
        for customer in rng.sample(active, 28):
            self.add_order(
                customer,
                rng.randint(1, 45),
                rng.choice(["draft", "sent"]),
                rng.lognormvariate(math.log(1800), 0.9),
                self.discount_of("medium"),
            )
        for customer in rng.sample(active, 9):
            self.add_order(
                customer,
                rng.randint(1, 1000),
                "cancel",
                rng.lognormvariate(math.log(1200), 0.7),
            )

    def build_qualified(self):
        """Relations without orders, qualified by the sales team."""
        rng = self.rng
        kinds = ["prospect"] * 5 + ["suspect"] * 6 + ["other"] * 4
        for index, kind in enumerate(kinds):
            company = self.add_company(
                "qualified_%02d" % (index + 1),
                "medium" if rng.random() < 0.5 else "small",
                "qualified",
                1 if kind != "suspect" else rng.choice([0, 1]),
            )
            company["qualification"] = kind
            if kind == "other":
                reason = OTHER_REASONS[kinds[:index].count(kind)]
                company["qualification_reason"] = reason
            else:
                notes = PROSPECT_NOTES if kind == "prospect" else SUSPECT_NOTES
                company["comment"] = rng.choice(notes)
            if kind == "suspect":
                # Nothing known yet about how they want to be served.
                company.update(
                    services=[], preferred=None, motives=[], motive_note=None
                )

    def companies(self):
        return [p for p in self.partners if p.get("is_company")]

    # ------------------------------------------------------------------
    # Output
    # ------------------------------------------------------------------
    @staticmethod
    def days_ago(days, time_of_day):
        return (
            "(DateTime.today() - relativedelta(days=%d)).strftime('%%Y-%%m-%%d %s')"
            % (days, time_of_day)
        )

    def render(self):
        out = []
        write = out.append
        seed = self.seed

        def field(name, value=None, ref=None, evaluate=None):
            indent = " " * 12
            if ref is not None:
                write('%s<field name="%s" ref="%s"/>' % (indent, name, ref))
            elif evaluate is not None:
                write(
                    '%s<field name="%s" eval=%s/>' % (indent, name, quoteattr(evaluate))
                )
            else:
                write('%s<field name="%s">%s</field>' % (indent, name, escape(value)))

        write('<?xml version="1.0" encoding="utf-8"?>')
        write("<!--")
        write("    Generated by scripts/generate_demo_xml.py (seed %d): do not" % seed)
        write("    edit by hand, change the script and run it again. Dates are")
        write("    relative to the day the data is loaded.")
        write("-->")
        write("<odoo>")
        write('    <data noupdate="1">')
        self.render_company(write, field)
        write("")
        write("        <!-- Customers, their contact persons and relation profiles -->")
        records = 0
        for partner in self.partners:
            self.render_partner(partner, write, field)
            records = self.flush_cache(records + 1, write)

        write("")
        write("        <!-- Sale orders with their lines, oldest first, created as")
        write("             quotations; confirmed ones carry the confirmation day -->")
        for order in self.numbered_orders():
            self.render_order(order, write, field)
            records = self.flush_cache(records + 1, write)

        write("")
        write("        <!-- Confirm, lock and cancel orders in one write per state,")
        write("             after their lines exist (no 'extra line' messages). The")
        write("             last value is the context, positional as over RPC: no")
        write("             tracking messages dated today. -->")
        for state in ("sale", "done", "cancel"):
            refs = [
                "ref('%s')" % order["xml_id"]
                for order in self.numbered_orders()
                if order["state"] == state
            ]
            write('        <function model="sale.order" name="write">')
            write('            <value eval="[')
            for index in range(0, len(refs), 4):
                write("                %s," % ", ".join(refs[index : index + 4]))
            write('            ]"/>')
            write("            <value eval=\"{'state': '%s'}\"/>" % state)
            write("            <value eval=\"{'tracking_disable': True}\"/>")
            write("        </function>")
        write("    </data>")
        write("</odoo>")
        return "\n".join(out) + "\n"

    @staticmethod
    def render_company(write, field):
        """Dutch, the company in the Netherlands in euros, the users in
        Dutch, the Dutch chart of accounts instead of the generic one in
        dollars, and Odoo's own demo orders out of the pyramid."""
        company = "base.main_company"
        write("")
        write("        <!-- Dutch: the language and its terms for every module")
        write("             installed so far; this module's own terms and those")
        write("             of modules installed after it follow, as Odoo loads")
        write("             every installed language's terms of a module it")
        write("             installs (after its demo data). -->")
        write('        <function model="base.language.install" name="lang_install">')
        write(
            '            <value model="base.language.install"'
            " eval=\"obj().create({'lang': '%s'}).ids\"/>" % LANG
        )
        write("        </function>")
        write("        <!-- Amounts the Dutch way: 113.065,92 (Odoo's nl_NL has no")
        write("             thousands separator). -->")
        write('        <record id="base.lang_nl" model="res.lang">')
        field("thousands_sep", ".")
        field("grouping", "[3,0]")
        write("        </record>")
        write("")
        write("        <!-- The Dutch chart of accounts (in euros) instead of the")
        write("             generic one (in dollars) that Odoo's account has marked")
        write("             for install after this module (with l10n_us, which")
        write("             needs it), only while that one is still pending and the")
        write("             company has no chart. -->")
        write('        <function model="ir.module.module" name="button_install">')
        write(
            '            <value model="ir.module.module" eval="obj().search(['
            "('name', '=', 'l10n_nl'), ('state', '=', 'uninstalled')]).ids"
            " if obj().search([('name', '=', 'l10n_generic_coa'),"
            " ('state', '=', 'to install')])"
            " and not obj().env.user.company_id.chart_template_id else []\"/>"
        )
        write("        </function>")
        write(
            '        <function model="ir.module.module" name="button_install_cancel">'
        )
        write(
            '            <value model="ir.module.module" eval="obj().search(['
            "('state', '=', 'to install'), '|', ('name', '=', 'l10n_generic_coa'),"
            " ('dependencies_id.name', '=', 'l10n_generic_coa')]).ids"
            ' if obj().search([(\'name\', \'=\', \'l10n_nl\'),'
            " ('state', '=', 'to install')]) else []\"/>"
        )
        write("        </function>")
        write("")
        write("        <!-- The company: Dutch, in euros (only while it has no")
        write("             journal items: Odoo refuses the change after). -->")
        write(
            '        <record id="%s" model="res.company" context=%s>'
            % (company, quoteattr("{'tracking_disable': True}"))
        )
        for name in ("name", "street", "zip", "city", "phone", "email", "website"):
            field(name, COMPANY[name])
        field("company_registry", COMPANY["company_registry"])
        field("country_id", ref="base.nl")
        write("        </record>")
        write('        <function model="res.company" name="write">')
        write("            <value eval=\"[ref('%s')]\"/>" % company)
        write(
            '            <value model="account.move.line"'
            " eval=\"{'currency_id': ref('base.EUR')} if not obj().search_count("
            "[('company_id', '=', ref('%s'))]) else {}\"/>" % company
        )
        write("        </function>")
        write('        <function model="product.pricelist" name="write">')
        write("            <value eval=\"[ref('product.list0')]\"/>")
        write(
            "            <value eval=\"{'currency_id': obj(ref('%s')).currency_id.id}\""
            ' model="res.company"/>' % company
        )
        write("        </function>")
        # The Dutch way of writing an amount: the euro sign first (€ 113.065,92).
        write('        <record id="base.EUR" model="res.currency">')
        field("position", "before")
        write("        </record>")
        write(
            '        <record id="base.main_partner" model="res.partner" context=%s>'
            % quoteattr("{'tracking_disable': True}")
        )
        field("lang", LANG)
        field("tz", TZ)
        write("        </record>")
        write("")
        write("        <!-- Admin and the demo salesperson work in Dutch. -->")
        for user in SALESPEOPLE:
            write('        <record id="%s" model="res.users">' % user)
            field("lang", LANG)
            field("tz", TZ)
            write("        </record>")
        write("")
        write("        <!-- Odoo's own demo orders (American customers, in the")
        write("             company currency) cancelled: not part of this story. -->")
        write('        <function model="sale.order" name="write">')
        write(
            '            <value model="ir.model.data" eval="obj().search(['
            "('module', '=', 'sale'), ('model', '=', 'sale.order')])"
            ".mapped('res_id')\"/>"
        )
        write("            <value eval=\"{'state': 'cancel'}\"/>")
        write("            <value eval=\"{'tracking_disable': True}\"/>")
        write("        </function>")

    @staticmethod
    def flush_cache(records, write):
        """Every CACHE_FLUSH records, clear the ORM cache. Odoo 11 keys its
        cache by environment and gives every XML record its own environment
        (the context names the record), so without this the environments pile
        up and each new one costs a scan of all others: loading the file takes
        about twice as long."""
        if records % CACHE_FLUSH:
            return records
        write('        <function model="res.partner" name="invalidate_cache"/>')
        return records

    @staticmethod
    def refs(ids):
        return "[(6, 0, [%s])]" % ", ".join("ref('%s')" % i for i in ids)

    def render_partner(self, partner, write, field):
        # No chatter messages and followers: quicker to load.
        write(
            '        <record id="%s" model="res.partner" context=%s>'
            % (partner["xml_id"], quoteattr("{'tracking_disable': True}"))
        )
        field("name", partner["name"])
        field("lang", LANG)
        if "parent" in partner:
            field("parent_id", ref=partner["parent"])
            field("type", "contact")
            field("function", partner["function"])
            field("email", partner["email"])
            field("mobile", partner["mobile"])
            write("        </record>")
            return
        field("is_company", evaluate=str(partner["is_company"]))
        field("street", partner["street"])
        field("zip", partner["zip"])
        field("city", partner["city"])
        field("country_id", ref="base.nl")
        field("phone", partner["phone"])
        if partner.get("mobile"):
            field("mobile", partner["mobile"])
        field("email", partner["email"])
        if partner.get("website"):
            field("website", partner["website"])
        field("user_id", ref=partner["user"])
        if partner["services"]:
            field(
                "service_preference_ids",
                evaluate=self.refs(
                    "%s.service_preference_%s" % (MODULE, s)
                    for s in partner["services"]
                ),
            )
            field(
                "preferred_service_preference_id",
                ref="%s.service_preference_%s" % (MODULE, partner["preferred"]),
            )
        if partner["motives"]:
            field(
                "relation_motive_ids",
                evaluate=self.refs(
                    "%s.relation_motive_%s" % (MODULE, m)
                    for m in partner["motives"]
                ),
            )
        if partner.get("motive_note"):
            field("relation_motive_note", partner["motive_note"])
        if partner.get("qualification"):
            field("relation_qualification", partner["qualification"])
        if partner.get("qualification_reason"):
            field("relation_qualification_reason", partner["qualification_reason"])
        if partner.get("comment"):
            field("comment", partner["comment"])
        write("        </record>")

    def numbered_orders(self):
        """The orders oldest first, numbered in that order, so that Odoo's
        order numbers follow the dates."""
        if not self.orders or "xml_id" not in self.orders[0]:
            self.orders.sort(key=lambda order: (-order["day"], order["order_time"]))
            for number, order in enumerate(self.orders, 1):
                order["xml_id"] = "sale_order_%04d_demo" % number
        return self.orders

    def render_order(self, order, write, field):
        write(
            '        <record id="%s" model="sale.order" context=%s>'
            % (order["xml_id"], quoteattr("{'tracking_disable': True}"))
        )
        field("partner_id", ref=order["partner"])
        field("company_id", ref="base.main_company")
        field("pricelist_id", ref="product.list0")
        field("user_id", ref=order["user"])
        field("team_id", ref="sales_team.team_sales_department")
        field(
            "date_order", evaluate=self.days_ago(order["day"], order["order_time"])
        )
        if order["state"] in ("sale", "done"):
            field(
                "confirmation_date",
                evaluate=self.days_ago(order["confirm_day"], order["confirm_time"]),
            )
        if order["state"] == "sent":
            field("state", "sent")
        # The lines in the order's create: one record, one recompute.
        write('            <field name="order_line" eval="[')
        for line in order["lines"]:
            write("                (0, 0, {")
            write("                    'product_id': ref('%s')," % line["product"])
            description = escape(repr(line["description"]), QUOTE)
            write("                    'name': %s," % description)
            write("                    'product_uom': ref('%s')," % line["uom"])
            write("                    'product_uom_qty': %r," % line["quantity"])
            write("                    'price_unit': %.2f," % line["price"])
            write("                    'tax_id': [(6, 0, [])],")
            write("                }),")
        write('            ]"/>')
        write("        </record>")

    # ------------------------------------------------------------------
    # What the data amounts to (printed for whoever tunes the generator)
    # ------------------------------------------------------------------
    def report(self):
        revenue, previous = {}, {}
        states = {}
        for order in self.orders:
            states[order["state"]] = states.get(order["state"], 0) + 1
            if order["state"] not in ("sale", "done"):
                continue
            key = order["customer"]["xml_id"]
            if order["confirm_day"] <= YEAR_WINDOWS[0][1]:
                revenue[key] = revenue.get(key, 0.0) + order["amount"]
            elif order["confirm_day"] <= YEAR_WINDOWS[1][1]:
                previous[key] = previous.get(key, 0.0) + order["amount"]
        values = sorted(revenue.values(), reverse=True)
        count = len(values)
        total = sum(values)
        cut = [math.ceil(count * pct / 100.0) for pct in (1, 5, 20)]
        top20 = sum(values[: cut[2]])
        risk = sum(
            1
            for key, value in revenue.items()
            if previous.get(key) and value <= 0.7 * previous[key]
        )
        lines = sum(len(order["lines"]) for order in self.orders)
        return (
            "%d partners (%d companies), %d orders %s, %d lines; %d active customers, "
            "revenue %.0f, top 1/5/20 %% = ranks %s, top 20 %% brings %.1f %%, "
            "largest %.0f, smallest %.0f, %d risk customers"
            % (
                len(self.partners),
                len(self.companies()),
                len(self.orders),
                dict(sorted(states.items())),
                lines,
                count,
                total,
                cut,
                100.0 * top20 / total,
                values[0],
                values[-1],
                risk,
            )
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    generator = Generator(args.seed)
    generator.build()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(generator.render(), encoding="utf-8")
    print("wrote %s: %s" % (args.output, generator.report()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
