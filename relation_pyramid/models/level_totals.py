# Copyright 2026 relation_pyramid authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""How a snapshot keeps its totals per level (``level_totals``)."""
import json
from decimal import Decimal


def encode_level_totals(totals):
    """``level_totals`` as the snapshot keeps them: JSON, revenue as text
    (exact)."""
    return json.dumps(
        {level: [count, str(revenue)] for level, (count, revenue) in totals.items()},
        sort_keys=True,
    )


def decode_level_totals(kept):
    """{level: (customers, revenue)} from ``encode_level_totals``."""
    return {
        level: (count, Decimal(revenue))
        for level, (count, revenue) in json.loads(kept).items()
    }
