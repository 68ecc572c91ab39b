"""The main motive: the first relation motive by sequence, for grouping
partners and pyramid rows (a many2many cannot be grouped in Odoo 11)."""
from .pyramid_common import IN_PERIOD, PyramidCase


class TestMainMotive(PyramidCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.brand = ref("relation_pyramid.relation_motive_brand")  # sequence 10
        cls.price = ref("relation_pyramid.relation_motive_price")  # sequence 20
        cls.location = ref("relation_pyramid.relation_motive_location")  # 60
        cls.bakery = cls._customer(
            "Bakery", relation_motive_ids=[(6, 0, [cls.location.id, cls.price.id])]
        )
        cls.piet = cls._customer("Piet", is_company=False, parent_id=cls.bakery.id)
        cls.shop = cls._customer(
            "Shop", relation_motive_ids=[(6, 0, [cls.location.id])]
        )
        cls._order(cls.bakery, 100, IN_PERIOD)
        cls._order(cls.shop, 50, IN_PERIOD)

    def test_first_motive_by_sequence(self):
        self.assertEqual(self.bakery.relation_main_motive_id, self.price)
        self.assertEqual(self.piet.relation_main_motive_id, self.price)
        self.location.sequence = 1
        self.assertEqual(self.bakery.relation_main_motive_id, self.location)

    def test_group_partners_by_main_motive(self):
        groups = self.env["res.partner"].read_group(
            [("id", "in", (self.bakery | self.piet | self.shop).ids)],
            ["relation_main_motive_id"],
            ["relation_main_motive_id"],
        )
        counts = {
            group["relation_main_motive_id"][0]: group["relation_main_motive_id_count"]
            for group in groups
        }
        self.assertEqual(counts, {self.price.id: 2, self.location.id: 1})

    def test_pyramid_rows_carry_the_main_motive(self):
        self._recompute()
        motives = {
            line.partner_id.name: line.relation_motive_id for line in self._lines()
        }
        self.assertEqual(motives, {"Bakery": self.price, "Shop": self.location})
